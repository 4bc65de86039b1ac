/* The glossary for students: every AWS or Kubernetes term that step mode,
 * the tables, the event log or the reports use, with a one-line
 * plain-language definition (issue 12, point 5).
 *
 * The glossary is one static table (glossary.c). Each entry has the term as
 * shown, the patterns that find it in a text (so step mode can explain a
 * term at its first use and the quiz can link to it), and the definition.
 * `ecsim glossary [TERM]` prints it; step mode prints the definitions of the
 * terms a step uses for the first time. */
#ifndef ECSIM_GLOSSARY_H
#define ECSIM_GLOSSARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ecsim_glossary_entry {
    const char *term;       /* as shown: "circuit breaker" */
    const char *patterns;   /* '|'-separated words or phrases that find it in a text,
                               matched at word boundaries, case-insensitively unless the
                               pattern starts with '=' (then exactly: "=ENI") */
    const char *definition; /* one line, plain language */
} ecsim_glossary_entry;

/* Every entry, in the order `ecsim glossary` lists them (alphabetical, case
 * folded). `count` receives their number. */
const ecsim_glossary_entry *ecsim_glossary_entries(size_t *count);

/* The entry whose term or any pattern equals `term` (case-insensitive,
 * surrounding blanks and a trailing plural "s" ignored); NULL if none. */
const ecsim_glossary_entry *ecsim_glossary_find(const char *term);

/* The closest term to `term` for a "did you mean" (edit distance at most a
 * third of the length, or a term containing it); NULL if nothing is close. */
const ecsim_glossary_entry *ecsim_glossary_suggest(const char *term);

/* The offset in `text` of the first place `e` is used (one of its patterns
 * at word boundaries), or -1 if the text does not use it. */
long ecsim_glossary_first_use(const ecsim_glossary_entry *e, const char *text);

/* "TERM: DEFINITION" for one entry, as `ecsim glossary TERM` prints it. */
void ecsim_glossary_print_entry(const ecsim_glossary_entry *e, FILE *out);

/* `ecsim glossary TERM` (term non-NULL) or `ecsim glossary` (NULL: every
 * entry). An unknown term prints an error and a suggestion on `err`.
 * Returns the exit code: 0, or 2 for an unknown term. */
int ecsim_glossary_main(const char *term, FILE *out, FILE *err);

#endif
