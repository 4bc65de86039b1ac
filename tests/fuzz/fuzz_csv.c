/* libFuzzer target for the CSV reader (include/ecsim/csv.h): any bytes, read
 * with every combination of flags and small caps, must give records or
 * located errors cleanly: no crash, no sanitizer report, no leak, no hang
 * (every call consumes input or ends it). Built and run by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    for (unsigned flags = 0; flags < 8; flags++) {
        FILE *in = fmemopen((void *)data, size, "rb");
        if (!in)
            return 0;
        ecsim_diags d;
        ecsim_diags_init(&d);
        ecsim_csv_options opt = {.display_name = "fuzz.csv",
                                 .flags = flags,
                                 .max_record_bytes = flags & 1 ? 64 : 0,
                                 .max_fields = flags & 2 ? 3 : 0};
        ecsim_csv_reader *r = ecsim_csv_reader_create(in, &opt, &d);
        if (r) {
            size_t records = 0;
            for (int rc; (rc = ecsim_csv_next(r)) != 0 && records <= size + 1; records++) {
                if (rc == 1) {
                    size_t n;
                    const ecsim_csv_field *f = ecsim_csv_record(r, &n);
                    for (size_t i = 0; i < n; i++)
                        if (f[i].text[f[i].len] != '\0')
                            __builtin_trap();
                } else if (rc != -2) { /* ECSIM_EINVAL: go on; anything else ends */
                    break;
                }
            }
            if (records > size + 1) /* more records than bytes: a loop */
                __builtin_trap();
            ecsim_csv_reader_destroy(r);
        }
        ecsim_diags_free(&d);
        fclose(in);
    }
    return 0;
}
