/* The "text" table format: aligned plain text for a terminal.
 *
 *     Execution table
 *     Step  Time      Action                          AWS role ...
 *     ----  --------  ------------------------------  -------- ...
 *        1  00:02:00  Package app in container image  User cre ...
 *
 * A title line (omitted when the title is empty), the header, a separator
 * of dashes, then the rows. Columns are two spaces apart and as wide as
 * their widest line, counted in UTF-8 code points (so "—" and "×" count as
 * one; East Asian wide characters are not special-cased). NUMBER columns are
 * right-aligned, TEXT columns left-aligned. A newline in a cell starts a new
 * line within the cell; a line longer than TEXT_WRAP_POINTS code points
 * wraps at the last space that fits (or is cut at the limit if a single word
 * is longer), and the row continues on as many lines as its tallest cell
 * needs, the other columns left blank. Other control characters print as a
 * space. No line ends in a space; tables are separated by one blank line. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "formats.h"

#define TEXT_WRAP_POINTS 60 /* wide enough for a sentence, narrow enough for 3 columns in 200 */
#define TEXT_GAP 2

/* One printed line of a cell: `bytes` bytes at `start`, `points` wide. */
typedef struct text_segment {
    const char *start;
    size_t bytes;
    size_t points;
} text_segment;

/* A column while rendering: its width and, for the row being printed, where
 * the next line of its cell starts (NULL once the cell is exhausted). */
typedef struct text_column {
    size_t width;
    const char *next;
} text_column;

/* A space, or a control character other than a line break (printed as a
 * space). */
static bool text_is_blank(char ch)
{
    return ch == ' ' || ((unsigned char)ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\0');
}

static const char *text_hard_line_end(const char *p)
{
    while (*p && *p != '\n' && *p != '\r')
        p++;
    return p;
}

/* Where the text after position `p` continues: past blanks and at most one
 * line break; NULL at the end of the cell. */
static const char *text_resume(const char *p, const char *line_end)
{
    while (p < line_end && text_is_blank(*p))
        p++;
    if (p < line_end)
        return p;
    if (*line_end == '\0')
        return NULL;
    if (line_end[0] == '\r' && line_end[1] == '\n')
        return line_end + 2;
    return line_end + 1;
}

/* Cut the next printed line of a cell at *pos into *seg and advance *pos.
 * Returns false when the cell has no more lines. An empty cell has exactly
 * one (empty) line. */
static bool text_next_segment(const char **pos, text_segment *seg)
{
    const char *p = *pos;
    if (!p)
        return false;
    const char *line_end = text_hard_line_end(p);
    /* Walk at most TEXT_WRAP_POINTS code points. */
    const char *q = p;
    size_t points = 0;
    while (q < line_end && points < TEXT_WRAP_POINTS) {
        q++;
        while (q < line_end && ((unsigned char)*q & 0xC0) == 0x80)
            q++;
        points++;
    }
    const char *cut = q;
    if (q < line_end && !text_is_blank(*q)) {
        /* Too long and inside a word: break after the last blank that fits. */
        const char *space = q;
        while (space > p && !text_is_blank(space[-1]))
            space--;
        if (space > p)
            cut = space;
    }
    const char *end = cut;
    while (end > p && text_is_blank(end[-1]))
        end--;
    seg->start = p;
    seg->bytes = (size_t)(end - p);
    seg->points = report_utf8_len(p, seg->bytes);
    *pos = text_resume(cut, line_end);
    return true;
}

/* A line being written: spaces are held back until something visible
 * follows them, so no line ends in a space. */
typedef struct text_line {
    FILE *out;
    size_t pending_spaces;
} text_line;

static void text_put(text_line *line, const char *s, size_t bytes)
{
    if (bytes == 0)
        return;
    for (; line->pending_spaces > 0; line->pending_spaces--)
        fputc(' ', line->out);
    for (size_t i = 0; i < bytes; i++)
        fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], line->out);
}

static void text_end_line(text_line *line)
{
    fputc('\n', line->out);
    line->pending_spaces = 0;
}

static void text_put_segment(text_line *line, const text_segment *seg, size_t width,
                             ecsim_col_kind kind)
{
    size_t pad = width > seg->points ? width - seg->points : 0;
    if (kind == ECSIM_COL_NUMBER)
        line->pending_spaces += pad;
    text_put(line, seg->start, seg->bytes);
    if (kind != ECSIM_COL_NUMBER)
        line->pending_spaces += pad;
}

static size_t text_cell_width(const char *cell)
{
    size_t width = 0;
    text_segment seg;
    for (const char *pos = cell; text_next_segment(&pos, &seg);)
        if (seg.points > width)
            width = seg.points;
    return width;
}

/* Print one logical row (the header or a data row, `texts[c]` for each
 * column) on as many lines as its tallest cell needs. */
static void text_put_row(text_line *line, const ecsim_table *t, text_column *cols,
                         const char *const *texts)
{
    size_t ncols = ecsim_table_cols(t);
    for (size_t c = 0; c < ncols; c++)
        cols[c].next = texts[c];
    bool more = true;
    while (more) {
        more = false;
        for (size_t c = 0; c < ncols; c++) {
            text_segment seg = {"", 0, 0};
            if (cols[c].next)
                text_next_segment(&cols[c].next, &seg);
            if (c > 0)
                line->pending_spaces += TEXT_GAP;
            text_put_segment(line, &seg, cols[c].width, ecsim_table_kind(t, c));
            if (cols[c].next)
                more = true;
        }
        text_end_line(line);
    }
}

static int text_render_one(const ecsim_table *t, FILE *out)
{
    size_t ncols = ecsim_table_cols(t);
    size_t nrows = ecsim_table_rows(t);
    text_column *cols = ecsim_calloc(ncols, sizeof *cols);
    const char **texts = ecsim_calloc(ncols, sizeof *texts);
    if (!cols || !texts) {
        ecsim_free(cols);
        ecsim_free(texts);
        return ECSIM_ENOMEM;
    }
    for (size_t c = 0; c < ncols; c++) {
        size_t width = text_cell_width(ecsim_table_header(t, c));
        for (size_t r = 0; r < nrows; r++) {
            size_t w = text_cell_width(ecsim_table_cell(t, r, c));
            if (w > width)
                width = w;
        }
        cols[c].width = width > 0 ? width : 1; /* keep a visible dash */
    }

    text_line line = {out, 0};
    const char *title = ecsim_table_title(t);
    if (*title) {
        text_put(&line, title, strlen(title));
        text_end_line(&line);
    }
    for (size_t c = 0; c < ncols; c++)
        texts[c] = ecsim_table_header(t, c);
    text_put_row(&line, t, cols, texts);
    for (size_t c = 0; c < ncols; c++) {
        if (c > 0)
            line.pending_spaces += TEXT_GAP;
        for (size_t i = 0; i < cols[c].width; i++)
            text_put(&line, "-", 1);
    }
    text_end_line(&line);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++)
            texts[c] = ecsim_table_cell(t, r, c);
        text_put_row(&line, t, cols, texts);
    }
    ecsim_free(texts);
    ecsim_free(cols);
    return 0;
}

int report_text_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        int err = text_render_one(tables[i], out);
        if (err)
            return err;
    }
    return report_finish(out);
}
