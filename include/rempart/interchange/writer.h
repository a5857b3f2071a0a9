// Writer: exports bank entries as a hash list (rempart/interchange/format.h).
//
// `csv` is the lossless export: reading it back reproduces every entry's
// signal, quality, mode, category, source organisation, external id, status,
// revoke reason, vPDQ frames and patch signature (as its shared form,
// hash::FormatPatches, keeps it) exactly. `tsv` has the same columns but no
// quoting, so it refuses text holding a tab or a line break. `lines` keeps
// only VALUE<TAB>QUALITY<TAB>EXTERNAL_ID (trailing empty fields left out;
// a patch signature is dropped), holds one kind of signal per file and no
// vPDQ. `vpdq` holds one video's frames and nothing else.
//
// A failed Write() writes nothing, so the output stays well-formed and the
// caller may skip the entry or stop. The writer borrows the stream, which
// must outlive it; it does not flush. Not thread-safe: use one Writer from
// one thread at a time.
#ifndef REMPART_INTERCHANGE_WRITER_H_
#define REMPART_INTERCHANGE_WRITER_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "rempart/core/status.h"
#include "rempart/interchange/format.h"
#include "rempart/store/entry.h"

namespace rempart::interchange {

class Writer {
 public:
  Writer(std::ostream& out, Format format) : out_(&out), format_(format) {}

  // Writes the header row for `tsv` and `csv`; nothing for `lines` and
  // `vpdq`. Call once, before the first Write(). Unavailable if the stream
  // fails.
  Status WriteHeader();

  // Writes one entry as one row (one or more lines for `csv` text holding
  // line breaks; for `vpdq`, one line per frame). Errors, with nothing
  // written: InvalidArgument for `tsv` text holding a tab, line feed or
  // carriage return, for a `lines` external id holding one, for a `lines`
  // entry whose signal kind differs from the first one written or is vpdq,
  // for a `vpdq` entry that is not a video or follows one, for frames on
  // a signal that is not vPDQ, for a vPDQ signal without frames (or, in
  // `tsv` and `csv`, whose value is not the name of its frames), and for a
  // patch signature on a signal that is not PDQ or holding no patch;
  // Unavailable if the stream fails.
  Status Write(const store::Entry& entry);

  [[nodiscard]] Format format() const { return format_; }

 private:
  Status Put(const std::string& text);

  std::ostream* out_;
  Format format_;
  std::optional<store::SignalKind> lines_kind_;
  bool wrote_video_ = false;  // `vpdq`: the one video is written.
};

// ISO-8601 UTC with milliseconds, e.g. "2026-11-23T08:30:00.000Z", for
// milliseconds since the Unix epoch (negative values and years beyond 9999
// included, written with as many year digits as needed).
std::string FormatTimestamp(std::int64_t unix_ms);

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_WRITER_H_
