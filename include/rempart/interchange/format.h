// The hash-list text formats the field exchanges, and how to tell them apart.
//
// Hotlines and platforms pass lists of signals around as plain text. Rempart
// reads three formats (interchange::Reader) and writes the same three
// (interchange::Writer). The rules below are the contract; the user
// documentation copies them.
//
// Common to every format
// ----------------------
// - Text is bytes; free-text cells (source_org, external_id, revoke_reason)
//   must be well-formed UTF-8 without control characters other than tab,
//   line feed and carriage return. A UTF-8 byte order mark at the very start
//   of the input is skipped.
// - Lines end with LF or CRLF; one carriage return before the line feed (or
//   at the end of the input) is dropped. The last line needs no line feed.
// - A blank line (nothing but spaces, tabs and a carriage return) is skipped
//   anywhere. A line whose first character other than a space or tab is '#'
//   is a comment and is skipped anywhere in `lines`, and before the header
//   row in `tsv` and `csv` (after the header, a '#' is data: an external id
//   may start with one).
// - Structured cells (signal values, kind, quality, mode, category, status)
//   are trimmed of surrounding spaces and tabs and compared
//   case-insensitively. Free-text cells are kept byte for byte.
// - A signal value is the hex of a PDQ hash (64 digits), an MD5 digest (32)
//   or a SHA-256 digest (64), either case, nothing else.
// - A quality is an integer 0…100 (decimal digits only) and a mode is
//   `cli512` or `fullres`; both describe PDQ hashes only, and giving either
//   for a row without a PDQ signal is an error. `cli512+fast` and
//   `fullres+fast` (written by `rempart hash --fast`) are read as `cli512` and
//   `fullres`: a fast hash is a valid PDQ hash of the image, within a few bits
//   of the exact one, and the store has no field for the difference.
// - A category is `intimate_image`, `sextortion`, `synthetic` or
//   `child_abuse`; a status is `active` or `revoked`.
// - A record's line number is the line on which it starts (1-based).
// - No line or record may exceed ReaderOptions::max_line_bytes (64 KiB by
//   default). A longer one is reported once, and reading resumes after the
//   next line feed, without buffering the rest of it.
//
// `lines`: one signal per line, the format most lists travel in
// ---------------------------------------------------------------
//   VALUE
//   VALUE<TAB>QUALITY
//   VALUE<TAB>QUALITY<TAB>EXTERNAL_ID
// VALUE is a signal of the kind the caller names (ReaderOptions::kind, PDQ by
// default). QUALITY may be empty; it is an error for MD5 and SHA-256. More
// than three fields is an error. Category and source organisation come from
// the caller's options. Writing `lines` keeps only the value, quality and
// external id (lossy), and one file holds one kind of signal.
//
// `tsv` and `csv`: a header row naming the columns, then one row per line
// -----------------------------------------------------------------------
// `tsv` separates cells with tabs and has no quoting: a cell cannot hold a
// tab or a line break. `csv` follows RFC 4180: cells are separated by commas;
// a cell may be quoted with '"', inside which commas, line breaks and doubled
// quotes ("") are data; spaces may surround a quoted cell. A quote inside an
// unquoted cell, or anything but spaces between a closing quote and the next
// comma, is an error.
//
// Header names are trimmed and case-insensitive. Recognised columns:
//   pdq, md5, sha256     One column per signal kind. A row yields one record
//                        per non-empty cell, in that order, sharing the row's
//                        other cells; quality and mode apply to the PDQ one.
//                        (This is `rempart hash --format tsv` output.)
//   value                One signal per row (the export format). Aliases:
//                        hash, signal_value.
//   kind                 The kind of `value`: pdq, md5 or sha256. Alias:
//                        signal_type. Without the column, or with an empty
//                        cell, the caller's ReaderOptions::kind.
//   quality, mode        Of the PDQ signal. Either cell may be empty.
//   category             Empty cell or no column: ReaderOptions::category.
//   source_org           Empty cell or no column: ReaderOptions::source_org.
//   external_id          The source's own reference; may be empty.
//   status               active (also when empty) or revoked.
//   revoke_reason        Kept as given.
//   error                A non-empty cell makes the row an error (`rempart
//                        hash` reports files it could not hash this way).
// A header must name at least one signal column, may not mix per-kind
// columns with `value`, may not have `kind` without `value`, and may not
// name the same column twice (aliases included). Every other column
// (path, width, height, format, id, created_at, updated_at, ...) is ignored
// and listed by Reader::ignored_columns(); a `path` column in particular is
// never carried into records, because file names can identify the people
// pictured. A row with more cells than the header is an error; missing
// trailing cells are empty. A row whose signal cells are all empty is an
// error.
//
// Writing `tsv` and `csv` produces the export columns
//   kind, value, quality, mode, category, source_org, external_id, status,
//   revoke_reason, created_at, updated_at
// with quality and mode filled for PDQ signals only and the timestamps as
// ISO-8601 UTC with milliseconds (2026-11-23T08:30:00.000Z), for people
// reading the file; reading ignores them. Reading a `csv` export reproduces
// every other field exactly. A `tsv` writer refuses text containing a tab,
// line feed or carriage return: export such banks as `csv`.
//
// Thread-safe: the functions below are pure.
#ifndef REMPART_INTERCHANGE_FORMAT_H_
#define REMPART_INTERCHANGE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "rempart/core/result.h"

namespace rempart::interchange {

enum class Format : std::uint8_t {
  kLines,  // One signal per line; see above.
  kTsv,    // Tab-separated with a header row.
  kCsv,    // RFC 4180 comma-separated with a header row.
};

// "lines", "tsv" or "csv".
std::string_view FormatName(Format format);

// Parses a name from FormatName() (as given to a `--format` flag; lower case
// only). InvalidArgument naming the accepted names otherwise.
Result<Format> ParseFormat(std::string_view name);

// The format a file name's extension implies: ".csv" → kCsv, ".tsv" → kTsv
// (either case). nullopt for any other name, including ".txt": the content
// decides then (SniffFormat).
std::optional<Format> FormatFromFileName(std::string_view file_name);

// Guesses the format from the start of the content. Looks at the first line
// that is neither blank nor a comment (or at what `text` holds of it):
// - containing a tab: kTsv if the first field, trimmed, is not all hex
//   digits (a header), kLines otherwise;
// - else containing a comma: kCsv if the first field, trimmed, is not all
//   hex digits, kLines otherwise;
// - else kTsv if the line is a lone signal column name (pdq, md5, sha256,
//   value, hash, signal_value; a one-column header), kLines otherwise.
// Text with no such line is kLines.
Format SniffFormat(std::string_view text);

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_FORMAT_H_
