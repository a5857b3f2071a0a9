// The hash-list text formats the field exchanges, and how to tell them apart.
//
// Hotlines and platforms pass lists of signals around as plain text. Rempart
// reads four formats (interchange::Reader) and writes the same four
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
//   is a comment and is skipped anywhere in `lines` and `vpdq`, and before
//   the header row in `tsv` and `csv` (after the header, a '#' is data: an
//   external id may start with one).
// - Structured cells (signal values, kind, quality, mode, category, status,
//   frames, patches) are trimmed of surrounding spaces and tabs and compared
//   case-insensitively. Free-text cells are kept byte for byte.
// - A signal value is the hex of a PDQ hash (64 digits), an MD5 digest (32),
//   a SHA-256 digest (64) or a video's name (64), either case, nothing else.
// - A video's signal (kind `vpdq`) is its frames (hash/vpdq.h): frame
//   number, quality, PDQ hash and timestamp, one per sampled frame, in the
//   reference line form `frameNumber,quality,pdqHex,timestamp` (what
//   hash::FormatVpdqFrame writes; hash::ParseVpdq's rules: frame number an
//   integer ≥ 0, quality 0…100, 64 hex digits, timestamp a decimal ≥ 0, no
//   spaces inside). Frame numbers strictly increase; a video has 1 to
//   hash::kMaxVpdqFrames frames. The video's name, its signal value, is the
//   SHA-256 of its frames' text form (store::Signal::Vpdq: lower-case hex,
//   timestamps with 3 decimals, so a list giving more decimals keeps them
//   in the frames read but not in the name), so it is computed, never
//   trusted: where a list gives it, it must match.
// - A quality is an integer 0…100 (decimal digits only) and a mode is
//   `cli512` or `fullres`; both describe PDQ hashes only, and giving either
//   for a row without a PDQ signal is an error. `cli512+fast` and
//   `fullres+fast` (written by `rempart hash --fast`) are read as `cli512` and
//   `fullres`: a fast hash is a valid PDQ hash of the image, within a few bits
//   of the exact one, and the store has no field for the difference.
// - A patch signature (hash/patches.h: the second-stage matcher's signal,
//   hashed with hash::BankPatchOptions()) is its shared form in hex, what
//   hash::FormatPatches writes and hash::ParsePatches reads: version 1
//   (patches) or 2 (patches and centred crops), either case, nothing else,
//   5,428 hex digits for the usual 64 patches and 6 crops and 21,104 at
//   most (hash::kMaxPatches, hash::kMaxCrops). A signature with neither
//   patches nor crops is an error (write none instead). Like quality and mode
//   it describes a PDQ hash only, and giving one for a row without a PDQ signal
//   is an error.
// - A category is `intimate_image`, `sextortion`, `synthetic` or
//   `child_abuse`; a status is `active` or `revoked`.
// - A record's line number is the line on which it starts (1-based).
// - No line or record may exceed ReaderOptions::max_line_bytes (64 KiB by
//   default), except the rows of a table with a `frames` column, which may
//   reach ReaderOptions::max_video_row_bytes (8 MiB by default: a 4-hour
//   video at one frame per second is ~14,400 frames of ~80 bytes, ~1.2 MB,
//   and hash::kMaxVpdqFrames frames fit too). A longer one is reported once,
//   and reading resumes after the next line feed, without buffering the
//   rest of it. A patches cell does not raise the limit: the longest
//   signature is 21,104 hex digits (5,428 usually), and the other cells of
//   an exported row take under 2 KiB (three free-text cells of at most
//   store::kMaxEntryTextBytes, at most doubled by csv quoting, and short
//   fixed-size cells), so an export row with one stays under 24 KiB.
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
// external id (lossy: mode, category, source, status and a patch signature
// are dropped), and one file holds one kind of signal.
// `lines` cannot carry a video's frames: reading it with kind `vpdq` is an
// error from Reader::Open, and the writer refuses vpdq entries (use `tsv`,
// `csv` or `vpdq`).
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
//   pdq, md5, sha256,    One column per signal kind. A row yields one record
//   vpdq                 per signal, in that order, sharing the row's other
//                        cells; quality, mode and patches apply to the PDQ
//                        one. A row has a PDQ, MD5 or SHA-256 signal when
//                        its cell is not empty, and a vPDQ signal when its
//                        vpdq or its frames cell is not empty. (This is
//                        `rempart hash --format tsv` output.)
//   value                One signal per row (the export format). Aliases:
//                        hash, signal_value. May be empty for kind vpdq.
//   kind                 The kind of `value`: pdq, md5, sha256 or vpdq.
//                        Alias: signal_type. Without the column, or with an
//                        empty cell, the caller's ReaderOptions::kind.
//   frames               The frames of the row's vPDQ signal: the line form
//                        of each, joined by ';' (spaces and tabs around a
//                        frame are ignored; no empty frames, so no ';' at
//                        either end), e.g.
//                          0,100,f8f8...9b22,0.000;30,87,00002a...5720,1.000
//                        In csv the cell is quoted, since it holds commas.
//                        The vPDQ signal is Signal::Vpdq(frames); a vpdq or
//                        value cell may give it (or be left empty), and if
//                        given it must be that name, else the row is an
//                        error. A vPDQ signal without frames is an error, as
//                        is a frames cell on a row whose signal is not vPDQ
//                        (value mode with another kind).
//   quality, mode        Of the PDQ signal. Either cell may be empty.
//   patches              The PDQ signal's patch signature (FormatPatches
//                        text, see above); empty for none. A non-empty cell
//                        on a row without a PDQ signal (no pdq cell, or
//                        value mode with another kind) is an error, and so
//                        is a malformed one (the message gives ParsePatches'
//                        reason). Not a signal column: a header needs one
//                        besides.
//   category             Empty cell or no column: ReaderOptions::category.
//   source_org           Empty cell or no column: ReaderOptions::source_org.
//   external_id          The source's own reference; may be empty.
//   status               active (also when empty) or revoked.
//   revoke_reason        Kept as given.
//   error                A non-empty cell makes the row an error (`rempart
//                        hash` reports files it could not hash this way).
// A header must name at least one signal column (a `frames` column alone
// counts, as the per-kind form with vPDQ signals only), may not mix
// per-kind columns (pdq, md5, sha256, vpdq) with `value`, may not have
// `kind` without `value` nor `vpdq` without `frames`, and may not name the
// same column twice (aliases included). Every other column
// (path, width, height, format, id, created_at, updated_at, ...) is ignored
// and listed by Reader::ignored_columns(); a `path` column in particular is
// never carried into records, because file names can identify the people
// pictured. A row with more cells than the header is an error; missing
// trailing cells are empty. A row whose signal cells are all empty is an
// error.
//
// Writing `tsv` and `csv` produces the export columns
//   kind, value, quality, mode, category, source_org, external_id, status,
//   revoke_reason, frames, patches, created_at, updated_at
// (every column always, whatever the entries hold) with quality, mode and
// patches filled for PDQ signals only (patches when the entry has a
// signature), frames for vPDQ signals only (value then holds the video's
// name; the timestamps stay last) and the timestamps as ISO-8601 UTC with
// milliseconds (2026-11-23T08:30:00.000Z), for people reading the file;
// reading ignores them. Reading a `csv` export reproduces every other field
// exactly (a patch signature as its shared form holds it). A `tsv` writer
// refuses text containing a tab, line feed or carriage return: export such
// banks as `csv`.
//
// `vpdq`: one video's frames, the reference's own per-video file
// ------------------------------------------------------------------
//   frameNumber,quality,pdqHex,timestamp
//   ...
// One frame per line, as the reference `vpdq` tools write it and
// hash::ParseVpdq reads it (blank and '#' lines skipped anywhere; no spaces
// around a line's fields). The whole input is ONE record: kind vpdq, the
// frames of its lines in order, its name computed, category and source
// organisation from the caller's options (like `lines`), no quality, mode
// or external id; its line number is its first frame's. Any bad line (a
// malformed frame, a frame number not above the previous one, more than
// hash::kMaxVpdqFrames frames, a line over max_line_bytes) makes the whole
// input one error, at that line; the rest is read and ignored. An input
// without frames is one error too. Writing `vpdq` writes one vpdq entry's
// frames in that form (hash::FormatVpdq) and nothing else: the writer
// refuses any other kind and a second entry, so writing no entry leaves an
// empty output, which does not read back.
//
// Thread-safe: the functions below are pure.
#ifndef REMPART_INTERCHANGE_FORMAT_H_
#define REMPART_INTERCHANGE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/vpdq.h"

namespace rempart::interchange {

enum class Format : std::uint8_t {
  kLines,  // One signal per line; see above.
  kTsv,    // Tab-separated with a header row.
  kCsv,    // RFC 4180 comma-separated with a header row.
  kVpdq,   // One video's vPDQ frames, one per line.
};

// "lines", "tsv", "csv" or "vpdq".
std::string_view FormatName(Format format);

// Parses a name from FormatName() (as given to a `--format` flag; lower case
// only). InvalidArgument naming the accepted names otherwise.
Result<Format> ParseFormat(std::string_view name);

// The format a file name's extension implies: ".csv" → kCsv, ".tsv" → kTsv,
// ".vpdq" → kVpdq (either case). nullopt for any other name, including
// ".txt" (which the reference's vPDQ tools also write): the content decides
// then (SniffFormat).
std::optional<Format> FormatFromFileName(std::string_view file_name);

// Guesses the format from the start of the content. Looks at the first line
// that is neither blank nor a comment (or at what `text` holds of it):
// - kVpdq if it has the shape of a frame line: digits, digits, 64 hex
//   digits and a decimal (digits, optionally '.' and digits), separated by
//   commas and nothing else (no spaces). Its first field is all hex
//   digits, so the rules below would say kLines: no `tsv` or `csv` header
//   can be taken for kVpdq, and no valid `lines` line (a 32 or 64 digit
//   value, then tabs) has that shape;
// - containing a tab: kTsv if the first field, trimmed, is not all hex
//   digits (a header), kLines otherwise;
// - else containing a comma: kCsv if the first field, trimmed, is not all
//   hex digits, kLines otherwise;
// - else kTsv if the line is a lone signal column name (pdq, md5, sha256,
//   vpdq, frames, value, hash, signal_value; a one-column header), kLines
//   otherwise.
// Text with no such line is kLines.
Format SniffFormat(std::string_view text);

// The frames of a non-empty frames cell: each ';'-separated part, trimmed
// of spaces and tabs, is one frame (ParseFrame), in increasing frame order,
// at most hash::kMaxVpdqFrames of them. InvalidArgument (or
// ResourceExhausted for too many frames) naming the frame, counted from 1.
Result<std::vector<hash::VpdqFrame>> ParseFramesCell(std::string_view cell);

// The frames cell for `frames`: FormatVpdqFrame of each, joined by ';'.
std::string FormatFramesCell(std::span<const hash::VpdqFrame> frames);

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_FORMAT_H_
