/* Tests of the CSV reader and writer (include/ecsim/csv.h): RFC 4180
 * quoting (embedded commas, quotes, line breaks), CRLF and LF, empty
 * fields, the optional blank trimming, comment and blank-line skipping,
 * the byte-order mark, malformed records reported at FILE:LINE:COLUMN and
 * the reader going on after them, very long fields and the caps, and a
 * writer round trip that quotes only when it must. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/csv.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

/* A reader over `text` (fmemopen), its diagnostics in `d`. */
typedef struct fixture {
    FILE *in;
    ecsim_csv_reader *r;
    ecsim_diags d;
} fixture;

static void fx_open(fixture *f, const char *text, size_t len, unsigned flags)
{
    ecsim_diags_init(&f->d);
    f->in = fmemopen((void *)text, len, "rb");
    assert_non_null(f->in);
    ecsim_csv_options opt = {.display_name = "t.csv", .prefix = "p: ", .flags = flags};
    f->r = ecsim_csv_reader_create(f->in, &opt, &f->d);
    assert_non_null(f->r);
}

static void fx_close(fixture *f)
{
    ecsim_csv_reader_destroy(f->r);
    fclose(f->in);
    ecsim_diags_free(&f->d);
}

/* The next record must be exactly the `n` fields given. */
static void expect_record(fixture *f, size_t n, ...)
{
    assert_int_equal(ecsim_csv_next(f->r), 1);
    size_t count;
    const ecsim_csv_field *fl = ecsim_csv_record(f->r, &count);
    assert_int_equal(count, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        assert_int_equal(fl[i].len, strlen(want));
        assert_string_equal(fl[i].text, want);
    }
    va_end(ap);
}

static void expect_end(fixture *f)
{
    assert_int_equal(ecsim_csv_next(f->r), 0);
    assert_int_equal(ecsim_csv_next(f->r), 0); /* and stays there */
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    const char *text = "a,b,c\n"
                       "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
                       "1,,3\n"
                       ",\n"
                       "\"\",\"\"\"\"\n"
                       "last,no newline";
    fixture f;
    fx_open(&f, text, strlen(text), 0);
    expect_record(&f, 3, "a", "b", "c");
    assert_int_equal(ecsim_csv_line(f.r), 1);
    expect_record(&f, 3, "x,y", "say \"hi\"", "two\nlines");
    assert_int_equal(ecsim_csv_line(f.r), 2);
    size_t n;
    const ecsim_csv_field *fl = ecsim_csv_record(f.r, &n);
    assert_true(fl[0].quoted && fl[1].quoted && fl[2].quoted);
    assert_int_equal(fl[1].column, 7);
    expect_record(&f, 3, "1", "", "3");
    assert_int_equal(ecsim_csv_line(f.r), 4); /* the quoted line break counted */
    fl = ecsim_csv_record(f.r, &n);
    assert_false(fl[1].quoted);
    assert_int_equal(fl[2].column, 4);
    expect_record(&f, 2, "", "");
    expect_record(&f, 2, "", "\"");
    expect_record(&f, 2, "last", "no newline");
    expect_end(&f);
    assert_int_equal(f.d.count, 0);
    fx_close(&f);
}

static void test_crlf_bom_and_columns(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBFtime,rps\r\n0,\"1\r\n2\"\r\n  5 ,\t7\t\r\n";
    fixture f;
    fx_open(&f, text, sizeof text - 1, ECSIM_CSV_TRIM);
    expect_record(&f, 2, "time", "rps"); /* the mark is not data */
    size_t n;
    const ecsim_csv_field *fl = ecsim_csv_record(f.r, &n);
    assert_int_equal(fl[0].column, 1);
    expect_record(&f, 2, "0", "1\n2"); /* CR LF inside quotes reads as LF */
    expect_record(&f, 2, "5", "7");
    fl = ecsim_csv_record(f.r, &n);
    assert_int_equal(ecsim_csv_line(f.r), 4);
    assert_int_equal(fl[0].raw_column, 1);
    assert_int_equal(fl[0].column, 3); /* after the blanks */
    assert_int_equal(fl[0].end_column, 5);
    assert_int_equal(fl[1].raw_column, 6);
    assert_int_equal(fl[1].column, 7);
    assert_int_equal(fl[1].end_column, 9);
    expect_end(&f);
    fx_close(&f);

    /* Without trimming, blanks are data; a lone CR too. */
    const char raw[] = " a ,b\rc\n";
    fx_open(&f, raw, sizeof raw - 1, 0);
    expect_record(&f, 2, " a ", "b\rc");
    expect_end(&f);
    fx_close(&f);
}

static void test_skip_blank_and_comments(void **state)
{
    (void)state;
    const char *text = "# a comment, with \"quotes\n\n   \n1\n  # indented\n\"#not\",x\n";
    fixture f;
    fx_open(&f, text, strlen(text), ECSIM_CSV_TRIM | ECSIM_CSV_SKIP_BLANK | ECSIM_CSV_COMMENTS);
    expect_record(&f, 1, "1");
    assert_int_equal(ecsim_csv_line(f.r), 4);
    expect_record(&f, 2, "#not", "x"); /* a quoted # is data */
    expect_end(&f);
    fx_close(&f);

    /* Without the flags a blank line is a record of one empty field. */
    fx_open(&f, text, strlen(text), 0);
    assert_int_equal(ecsim_csv_next(f.r), ECSIM_EINVAL); /* the quote in the "comment" */
    expect_record(&f, 1, "");
    expect_record(&f, 1, "   ");
    fx_close(&f);
}

/* Print the diagnostics. */
static char *diags_text(const ecsim_diags *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    ecsim_diags_print(d, mem);
    fclose(mem);
    return text;
}

static void test_bad_quotes_are_located(void **state)
{
    (void)state;
    const char *text = "1,ok\n"
                       "2,ab\"c\n"            /* a quote inside an unquoted field */
                       "3,\"q\"x,4\n"         /* text after the closing quote */
                       "4,\"fine, really\"\n" /* the reader goes on */
                       "5,\"never closed\n6,7\n";
    fixture f;
    fx_open(&f, text, strlen(text), 0);
    expect_record(&f, 2, "1", "ok");
    assert_int_equal(ecsim_csv_next(f.r), ECSIM_EINVAL);
    assert_int_equal(ecsim_csv_next(f.r), ECSIM_EINVAL);
    expect_record(&f, 2, "4", "fine, really");
    assert_int_equal(ecsim_csv_next(f.r), ECSIM_EINVAL);
    expect_end(&f);
    assert_int_equal(ecsim_csv_errors(f.r), 3);
    char *got = diags_text(&f.d);
    assert_string_equal(
        got, "t.csv:2:5: error: p: a double quote inside an unquoted field; enclose the whole "
             "field in double quotes and write the quote twice (\"\")\n"
             "t.csv:3:6: error: p: unexpected character after the closing quote of the field "
             "at column 3; expected ',' or the end of the line\n"
             "t.csv:5:3: error: p: the quoted field opened here is not closed; close it with "
             "'\"' (a quote inside a quoted field is written \"\")\n");
    free(got);
    fx_close(&f);
}

static void test_caller_errors_and_nul(void **state)
{
    (void)state;
    const char text[] = "a\0b,c\n";
    fixture f;
    fx_open(&f, text, sizeof text - 1, 0);
    assert_int_equal(ecsim_csv_next(f.r), 1);
    size_t n;
    const ecsim_csv_field *fl = ecsim_csv_record(f.r, &n);
    assert_int_equal(n, 2);
    assert_int_equal(fl[0].len, 3); /* a NUL byte is data; the length says so */
    assert_memory_equal(fl[0].text, "a\0b", 4);
    ecsim_csv_error(f.r, fl[1].line, fl[1].column, "bad %s", "value");
    char *got = diags_text(&f.d);
    assert_string_equal(got, "t.csv:1:5: error: p: bad value\n");
    free(got);
    assert_int_equal(ecsim_csv_errors(f.r), 1);
    fx_close(&f);
}

static void test_long_fields_and_caps(void **state)
{
    (void)state;
    /* A 300 kB quoted field with commas and quotes, across buffer refills. */
    size_t big = 300000;
    char *text = ecsim_malloc(big * 2 + 64);
    assert_non_null(text);
    size_t len = 0;
    text[len++] = '"';
    for (size_t i = 0; i < big; i++) {
        char c = "a,\"b\n"[i % 5];
        text[len++] = c;
        if (c == '"')
            text[len++] = '"';
    }
    len += (size_t)sprintf(text + len, "\",end\nnext\n");
    fixture f;
    fx_open(&f, text, len, 0);
    assert_int_equal(ecsim_csv_next(f.r), 1);
    size_t n;
    const ecsim_csv_field *fl = ecsim_csv_record(f.r, &n);
    assert_int_equal(n, 2);
    assert_int_equal(fl[0].len, big);
    for (size_t i = 0; i < big; i++)
        if (fl[0].text[i] != "a,\"b\n"[i % 5])
            fail_msg("byte %zu differs", i);
    assert_string_equal(fl[1].text, "end");
    assert_int_equal(ecsim_csv_line(f.r), 1);
    expect_record(&f, 1, "next");
    assert_int_equal(ecsim_csv_line(f.r), 2 + (int)(big / 5));
    expect_end(&f);
    fx_close(&f);

    /* Over the caps: reported once, the excess not kept, the next record read. */
    ecsim_diags d;
    ecsim_diags_init(&d);
    FILE *in = fmemopen(text, len, "rb");
    ecsim_csv_options opt = {.display_name = "big.csv", .max_record_bytes = 1000};
    ecsim_csv_reader *r = ecsim_csv_reader_create(in, &opt, &d);
    assert_int_equal(ecsim_csv_next(r), ECSIM_EINVAL);
    assert_int_equal(ecsim_csv_next(r), 1);
    assert_int_equal(ecsim_csv_next(r), 0);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].line, 1);
    assert_non_null(strstr(d.items[0].message, "longer than 1000 bytes"));
    ecsim_csv_reader_destroy(r);
    fclose(in);
    ecsim_diags_free(&d);

    const char *wide = "1,2,3,4,5\n6\n";
    ecsim_diags_init(&d);
    in = fmemopen((void *)wide, strlen(wide), "rb");
    opt.max_record_bytes = 0;
    opt.max_fields = 4;
    r = ecsim_csv_reader_create(in, &opt, &d);
    assert_int_equal(ecsim_csv_next(r), ECSIM_EINVAL);
    assert_int_equal(ecsim_csv_next(r), 1);
    assert_int_equal(ecsim_csv_next(r), 0);
    assert_int_equal(d.errors, 1);
    ecsim_csv_reader_destroy(r);
    fclose(in);
    ecsim_diags_free(&d);
    ecsim_free(text);
}

/* The writer quotes only when it must, and the reader reads back what it
 * wrote. */
static void test_writer_round_trip(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    assert_non_null(mem);
    ecsim_csv_writer w;
    ecsim_csv_writer_init(&w, mem);
    ecsim_csv_write_text(&w, "plain text");
    ecsim_csv_write_text(&w, "a,b");
    ecsim_csv_write_text(&w, "say \"hi\"");
    ecsim_csv_write_text(&w, "two\nlines");
    ecsim_csv_write_text(&w, NULL);
    ecsim_csv_end_row(&w);
    ecsim_csv_write_num(&w, 0.25);
    ecsim_csv_write_num(&w, 1.0 / 0.0);
    ecsim_csv_write_num(&w, 3);
    ecsim_csv_write_int(&w, -1, true);
    ecsim_csv_write_int(&w, -1, false);
    ecsim_csv_write_int(&w, 42, true);
    ecsim_csv_end_row(&w);
    assert_int_equal(ecsim_csv_writer_status(&w), 0);
    fclose(mem);
    assert_string_equal(out, "plain text,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n"
                             "0.25,,3,,-1,42\n");
    fixture f;
    fx_open(&f, out, len, 0);
    expect_record(&f, 5, "plain text", "a,b", "say \"hi\"", "two\nlines", "");
    expect_record(&f, 6, "0.25", "", "3", "", "-1", "42");
    expect_end(&f);
    fx_close(&f);
    free(out);
}

/* A reader frees everything it allocated. */
static void test_no_leak(void **state)
{
    (void)state;
    long live = ecsim_alloc_live();
    const char *text = "a,b\n\"c\",d\n";
    fixture f;
    fx_open(&f, text, strlen(text), 0);
    expect_record(&f, 2, "a", "b");
    fx_close(&f);
    assert_int_equal(ecsim_alloc_live(), live);
}

/* The writer's fast number text is ecsim_fmt_num's, byte for byte: integers,
 * decimals of every magnitude the fast path takes, values next to ties and
 * powers of ten, and random bit patterns. */
static void check_num(double v)
{
    char a[64], b[64];
    ecsim_csv_fmt_num(a, sizeof a, v);
    ecsim_fmt_num(b, sizeof b, v);
    if (strcmp(a, b) != 0)
        fail_msg("%.17g: fast \"%s\", printf \"%s\"", v, a, b);
}

static void test_fast_number_text(void **state)
{
    (void)state;
    const double fixed[] = {0.0, -0.0, 1.0, -1.0, 120.0, 0.1, 0.3, 0.1 + 0.2, 1e-4, 9.99999999999999e-5,
                            1e-5, 1e14, 1e15, 999999999999999.0, 999999999999999.9, 1e15 - 0.5,
                            123456.7890123456, 400.654497431104, 0.000123456789012345, 2.5, 0.125,
                            1e300, 1e-300, 5e-324, 12345678901234.5, 0.99999999999999999, 9.5,
                            99999.99999999999, 0.00099999999999999};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        check_num(fixed[i]);
        check_num(-fixed[i]);
        check_num(nextafter(fixed[i], 0));
        check_num(nextafter(fixed[i], 1e308));
    }
    for (int e = -6; e <= 16; e++) {
        double p = pow(10.0, e);
        for (int k = -3; k <= 3; k++) {
            double v = p;
            for (int j = 0; j < (k < 0 ? -k : k); j++)
                v = nextafter(v, k < 0 ? 0 : 1e308);
            check_num(v);
        }
    }
    /* Halves at the 15th digit and random values. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0;
        int e = (int)(x % 23) - 6;
        double v = u * pow(10.0, e);
        check_num(v);
        check_num(floor(v * 1000.0) / 1000.0);
        check_num((double)(int64_t)(x >> 14) / 64.0);
        double bits;
        uint64_t b = x & 0x7fefffffffffffffULL;
        memcpy(&bits, &b, sizeof bits);
        check_num(bits);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_crlf_bom_and_columns),
        cmocka_unit_test(test_skip_blank_and_comments),
        cmocka_unit_test(test_bad_quotes_are_located),
        cmocka_unit_test(test_caller_errors_and_nul),
        cmocka_unit_test(test_long_fields_and_caps),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_fast_number_text),
        cmocka_unit_test(test_no_leak),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
