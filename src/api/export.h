/* The directory's export formats: CSV (RFC 4180) and vCard 4.0 (RFC 6350). */
#ifndef POCD_API_EXPORT_H
#define POCD_API_EXPORT_H

#include "lib/buf.h"
#include "lib/model.h"

void export_csv_header(struct buf *b);
/* One CRLF-terminated row of n cells, quoted and neutralised as the directory's are. */
void export_csv_cells(struct buf *b, const char *const *cells, size_t n);
/* One CRLF-terminated row; cells that a spreadsheet would run as a formula are neutralised. */
void export_csv_row(struct buf *b, const struct poc *p);
/* One vCard, folded at 75 octets. */
void export_vcard(struct buf *b, const struct poc *p);
/* A one-line human form of an availability ("24/7", "mon-fri 09:00-17:00; sat 10:00-12:00"). */
void export_availability_text(const char *json, char *out, size_t outlen);

#endif
