/* report.html (sim/report/report_page.c) and the run context the LaTeX
 * formats use (table ids and notes, latex and latex-doc):
 *   - the page's structure: doctype, lang, charset, one h1, both tables, no
 *     URL, closed at the end, the same bytes twice;
 *   - the plot inlined from the run folder's SVG with our title and text
 *     alternative, namespaces and gnuplot's title dropped, xlink:href -> href;
 *     without plots, a sentence instead;
 *   - decisions.csv in words (quoted CSV fields, only actions), collapsed in
 *     <details> when long; failures with the fix; escaping of the YAML;
 *   - unique LaTeX labels per run, the package comment, tabularx for the
 *     status tracker, and a complete latex-doc document;
 *   - table ids and notes, and their failure under OOM.
 * The browser check, xmllint and pdflatex run in tests/integration.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/ecsim.h"
#include "ecsim/report.h"
#include "ecsim/report_page.h"

static ecsim_scenario *load_file(const char *path)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    return sc;
}

static ecsim_sim *run_seed(const ecsim_scenario *sc, uint64_t seed)
{
    ecsim_sim *sim = ecsim_sim_create(sc, seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    return sim;
}

static char *page(const ecsim_sim *sim, const char *dir, bool plots, bool rendered)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    ecsim_report_page_options opt = {dir, plots, rendered};
    assert_int_equal(ecsim_report_page_html(sim, &opt, mem), 0);
    assert_int_equal(fclose(mem), 0);
    return text;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static char *render(const char *format, const ecsim_table *const *tables, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    const ecsim_table_format *f = ecsim_table_format_find(format);
    assert_non_null(f);
    assert_int_equal(f->render(tables, n, mem), 0);
    assert_int_equal(fclose(mem), 0);
    return text;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_structure_without_plot(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_file("scenarios/quickstart.yaml");
    ecsim_sim *sim = run_seed(sc, sc->seed);
    char *html = page(sim, NULL, false, false);
    assert_true(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />",
                        63) == 0);
    assert_non_null(strstr(html, "<meta name=\"viewport\""));
    assert_int_equal(count(html, "<h1>"), 1);
    assert_int_equal(count(html, "<table class=\"ecsim-execution\">"), 1);
    assert_int_equal(count(html, "<table class=\"ecsim-status\">"), 1);
    assert_int_equal(count(html, "http://"), 0);
    assert_int_equal(count(html, "https://"), 0);
    assert_int_equal(count(html, "<script"), 0);
    assert_non_null(strstr(html, "@media print"));
    assert_non_null(strstr(html, "@page"));
    assert_non_null(strstr(html, "No chart: plots were turned off for this run (--no-plots)."));
    assert_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "<p class=\"outcome\">The service is running: 3 of 3 desired tasks"));
    assert_non_null(strstr(html, "<dt>Unserved requests</dt><dd>3400</dd>"));
    assert_non_null(strstr(html, "<dt>Scaling actions</dt><dd>17 (10 out, 7 in); first scale-out at 00:39:00</dd>"));
    assert_null(strstr(html, "<dt>Latency</dt>")); /* fluid mode */
    assert_non_null(strstr(html, "decisions.csv is not available."));
    assert_non_null(strstr(html, "No step failed and nothing needs changing."));
    /* the YAML itself, escaped, in <pre> */
    assert_non_null(strstr(html, "<pre># The quickstart:"));
    assert_non_null(strstr(html, "  policy: target_tracking\n"));
    size_t len = strlen(html);
    assert_true(len > 16 && strcmp(html + len - 16, "</body>\n</html>\n") == 0);
    /* the same bytes twice */
    char *again = page(sim, NULL, false, false);
    assert_string_equal(html, again);
    free(again);
    free(html);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_plot_and_decisions_from_folder(void **state)
{
    (void)state;
    char dir[] = "/tmp/ecsim-page-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/demand_capacity.svg", dir);
    write_text(path, "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n<svg \n"
                     " width=\"120\" height=\"90\"\n viewBox=\"0 0 120 90\"\n"
                     " xmlns=\"http://www.w3.org/2000/svg\"\n"
                     " xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n>\n\n<title>Gnuplot</title>\n"
                     "<desc>Produced by GNUPLOT 5.4 patchlevel 4 </desc>\n"
                     "<defs><circle id='gpDot' r='0.5'/></defs>"
                     "<use xlink:href='#gpDot' x='3'/><text>a &amp; b</text>\n</svg>\n");
    snprintf(path, sizeof path, "%s/decisions.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("time_s,policy,metric,value,target,current,action,desired,reason\n", f);
    fputs("60,target_tracking,cpu,50,60,2,none,2,\"inside, \"\"the\"\" band\"\n", f);
    for (int i = 0; i < 10; i++)
        fprintf(f, "%d,target_tracking,cpu,71.26,60,%d,scale_out,%d,\"high, <%d>\"\r\n", 120 + 60 * i,
                2 + i, 3 + i, i);
    assert_int_equal(fclose(f), 0);

    ecsim_scenario *sc = load_file("scenarios/quickstart.yaml");
    ecsim_sim *sim = run_seed(sc, sc->seed);
    char *html = page(sim, dir, true, true);
    assert_int_equal(count(html, "<svg "), 1);
    assert_non_null(strstr(html, "<svg width=\"120\" height=\"90\" viewBox=\"0 0 120 90\" role=\"img\" "
                                 "aria-labelledby=\"plot-title plot-desc\">"));
    assert_non_null(strstr(html, "<title id=\"plot-title\">Demand and capacity over time: quickstart</title>"));
    assert_non_null(strstr(html, "<desc id=\"plot-desc\">Line chart of demand and capacity"));
    assert_non_null(strstr(html, "<use href='#gpDot' x='3'/><text>a &amp; b</text>"));
    assert_null(strstr(html, "Gnuplot</title>"));
    assert_null(strstr(html, "GNUPLOT"));
    assert_null(strstr(html, "xlink"));
    assert_null(strstr(html, "<?xml"));
    assert_int_equal(count(html, "http"), 0);
    assert_non_null(strstr(html, "<figcaption>Line chart of demand"));
    /* decisions: the run's 236 evaluations (summary), 10 actions in the file, collapsed, reasons escaped */
    assert_non_null(strstr(html, "evaluated 236 times; 10 evaluations changed the desired count."));
    assert_non_null(strstr(html, "<details><summary>10 scaling decisions</summary>"));
    assert_non_null(strstr(html, "<li><span class=\"t\">00:02:00</span> scale out from 2 to 3 tasks "
                                 "(cpu 71.3 against a target of 60): high, &lt;0&gt;</li>"));
    assert_non_null(strstr(html, "<li><span class=\"t\">00:11:00</span> scale out from 11 to 12 tasks"));
    assert_null(strstr(html, "the&quot; band"));
    free(html);
    /* gnuplot failed: a sentence instead of the figure */
    html = page(sim, dir, true, false);
    assert_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "No chart: gnuplot did not produce the image"));
    free(html);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    snprintf(path, sizeof path, "%s/demand_capacity.svg", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/decisions.csv", dir);
    unlink(path);
    rmdir(dir);
}

static void test_failure_and_escaping(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_file("scenarios/image-not-pushed.yaml");
    ecsim_sim *sim = run_seed(sc, sc->seed);
    char *html = page(sim, NULL, false, false);
    assert_non_null(strstr(html, "<p class=\"outcome bad\">The deployment failed at step 2 (Push image"));
    assert_non_null(strstr(html, "(failed):</strong>"));
    assert_non_null(strstr(html, "<p>What to change: "));
    free(html);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);

    static const char yaml[] = "name: esc\ndescription: \"a <b> & 'c'\"\nduration: 10m\n"
                               "image: {name: web, tag: \"1\", size_mb: 100}\n"
                               "registry: {push: true}\nservice: {platform: fargate, desired: 1}\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    sc = ecsim_scenario_load_string(yaml, strlen(yaml), "no-such-dir/esc.yaml", NULL, 0, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    sim = run_seed(sc, 1);
    html = page(sim, NULL, false, false);
    assert_non_null(strstr(html, "<p class=\"meta\">a &lt;b&gt; &amp; &#39;c&#39; · seed 1"));
    assert_null(strstr(html, "<b>"));
    assert_non_null(strstr(html, "The scenario file could not be read again"));
    assert_non_null(strstr(html, "No autoscaling policy"));
    free(html);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_latex_labels_unique_per_run(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_file("scenarios/quickstart.yaml");
    ecsim_sim *a = run_seed(sc, 42), *b = run_seed(sc, 7);
    ecsim_table *ea = ecsim_report_execution_table(a), *sa = ecsim_report_status_table(a);
    ecsim_table *eb = ecsim_report_execution_table(b);
    assert_string_equal(ecsim_table_id(ea), "quickstart-s42");
    assert_string_equal(ecsim_table_id(eb), "quickstart-s7");
    assert_true(ecsim_table_notes(ea) >= 7);
    assert_string_equal(ecsim_table_note_name(ea, 1), "Unserved requests");
    assert_string_equal(ecsim_table_note_value(ea, 1), "3400");

    const ecsim_table *two[] = {ea, sa};
    char *tex = render("latex", two, 2);
    assert_true(strncmp(tex, "% ecsim tables: LaTeX fragment for run quickstart-s42\n"
                             "% requires \\usepackage{booktabs} and \\usepackage{tabularx}",
                        110) == 0);
    assert_non_null(strstr(tex, "\\label{tab:ecsim-quickstart-s42-execution}"));
    assert_non_null(strstr(tex, "\\label{tab:ecsim-quickstart-s42-status}"));
    assert_non_null(strstr(tex, "\\begin{tabularx}{\\linewidth}{l>{\\raggedright"));
    /* execution: weighted X columns that fill the line */
    assert_non_null(strstr(tex, "\\begin{tabularx}{\\linewidth}{rl>{\\hsize="));
    assert_int_equal(count(tex, "\\begin{tabular}{"), 0);
    free(tex);
    const ecsim_table *other[] = {eb};
    tex = render("latex", other, 1);
    assert_non_null(strstr(tex, "\\label{tab:ecsim-quickstart-s7-execution}"));
    free(tex);

    tex = render("latex-doc", two, 2);
    assert_true(strncmp(tex, "% ecsim run report for quickstart-s42", 37) == 0);
    assert_non_null(strstr(tex, "\\documentclass[10pt]{article}\n"));
    assert_non_null(strstr(tex, "\\usepackage{booktabs}\n\\usepackage{tabularx}\n"));
    assert_non_null(strstr(tex, "\\section*{ecsim run: quickstart-s42}"));
    assert_non_null(strstr(tex, "\\item[Unserved requests] 3400\n"));
    assert_int_equal(count(tex, "\\subsection*{Key figures}"), 1);
    assert_non_null(strstr(tex, "\\IfFileExists{demand_capacity.pdf}"));
    assert_non_null(strstr(tex, "\\label{fig:ecsim-quickstart-s42-demand-capacity}"));
    assert_int_equal(count(tex, "\\begin{table}"), 2);
    size_t len = strlen(tex);
    assert_true(len > 16 && strcmp(tex + len - 15, "\\end{document}\n") == 0);
    free(tex);

    ecsim_table_destroy(ea);
    ecsim_table_destroy(sa);
    ecsim_table_destroy(eb);
    ecsim_sim_destroy(a);
    ecsim_sim_destroy(b);
    ecsim_scenario_free(sc);
}

static void test_html_fragment_self_closes(void **state)
{
    (void)state;
    static const char *const header[] = {"A", "B"};
    static const ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_NUMBER};
    ecsim_table *t = ecsim_table_create("k", "T", 2, header, kinds);
    assert_non_null(t);
    const char *row[] = {"one\ntwo", "3"};
    assert_int_equal(ecsim_table_add_row(t, row), 0);
    const ecsim_table *one[] = {t};
    char *html = render("html", one, 1);
    assert_non_null(strstr(html, "<td>one<br />two</td><td class=\"num\">3</td>"));
    assert_null(strstr(html, "<br>"));
    free(html);
    /* no id: plain labels, as before */
    char *tex = render("latex", one, 1);
    assert_non_null(strstr(tex, "% ecsim tables: LaTeX fragment\n"));
    assert_non_null(strstr(tex, "\\label{tab:ecsim-k}"));
    free(tex);
    ecsim_table_destroy(t);
}

static void test_id_and_notes_oom(void **state)
{
    (void)state;
    static const char *const header[] = {"A"};
    static const ecsim_col_kind kinds[] = {ECSIM_COL_TEXT};
    ecsim_table *t = ecsim_table_create("k", "T", 1, header, kinds);
    assert_non_null(t);
    assert_string_equal(ecsim_table_id(t), "");
    assert_int_equal(ecsim_table_set_id(t, "run-1"), 0);
    assert_int_equal(ecsim_table_add_note(t, "n1", "v1"), 0);
    for (long nth = 1; nth <= 10; nth++) {
        ecsim_alloc_fail_after(nth);
        int rc = ecsim_table_add_note(t, "n2", "v2");
        ecsim_alloc_fail_after(0);
        if (rc == 0)
            break;
        assert_int_equal(rc, ECSIM_ENOMEM);
        assert_int_equal(ecsim_table_notes(t), 1);
    }
    ecsim_alloc_fail_after(1);
    assert_int_equal(ecsim_table_set_id(t, "run-2"), ECSIM_ENOMEM);
    ecsim_alloc_fail_after(0);
    assert_string_equal(ecsim_table_id(t), "run-1");
    assert_int_equal(ecsim_table_notes(t), 2);
    assert_string_equal(ecsim_table_note_name(t, 1), "n2");
    assert_string_equal(ecsim_table_note_value(t, 1), "v2");
    ecsim_table_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure_without_plot),
        cmocka_unit_test(test_plot_and_decisions_from_folder),
        cmocka_unit_test(test_failure_and_escaping),
        cmocka_unit_test(test_latex_labels_unique_per_run),
        cmocka_unit_test(test_html_fragment_self_closes),
        cmocka_unit_test(test_id_and_notes_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
