// Banks and their entries: what hotlines publish and platforms match.
#include <charconv>

#include "rempart/hash/pdq_hash.h"
#include "service/api_internal.h"

namespace rempart::service {
namespace {

using nlohmann::json;

Result<std::int64_t> EntryId(const std::string& text) {
  std::int64_t id = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return NotFoundError("no entry " + text.substr(0, 32));
  }
  return id;
}

Result<store::NewEntry> ParseEntry(const json& item, std::size_t position) {
  const std::string where = "entries[" + std::to_string(position) + "]";
  REMPART_RETURN_IF_ERROR(
      OnlyFields(item,
                 {"kind", "value", "frames", "quality", "category",
                  "source_org", "external_id", "patches"},
                 where));
  store::NewEntry entry;
  auto kind_text = TextField(item, "kind", 16, false);
  if (!kind_text) return kind_text.error().WithContext(where);
  auto kind = store::ParseSignalKind(kind_text->empty() ? "pdq" : *kind_text);
  if (!kind) return kind.error().WithContext(where);
  const auto frames = item.find("frames");
  if (*kind == store::SignalKind::kVpdq) {
    // A video: its frames; its name (the value) follows from them.
    auto video = VideoItem(item, where);
    if (!video) return video.error();
    entry.input.frames = *std::move(video);
    entry.input.signal = store::Signal::Vpdq(entry.input.frames);
  } else {
    if (frames != item.end()) {
      return InvalidArgumentError(where + ": 'frames' is for vpdq entries");
    }
    auto value = TextField(item, "value", 64, true);
    if (!value) return value.error().WithContext(where);
    auto signal = store::Signal::FromHex(*kind, *value);
    if (!signal) return signal.error().WithContext(where);
    entry.input.signal = *signal;
  }
  auto quality = IntegerField(item, "quality", 0, 100);
  if (!quality) return quality.error().WithContext(where);
  if (*quality) {
    if (*kind != store::SignalKind::kPdq) {
      return InvalidArgumentError(where + ": quality is for PDQ hashes only");
    }
    // The same guard as `rempart bank import`: a hash of a near-blank
    // picture would match a great many innocent ones.
    if (**quality < hash::kPdqMinUsefulQuality) {
      return InvalidArgumentError(
          where + ": PDQ quality " + std::to_string(**quality) + " is below " +
          std::to_string(hash::kPdqMinUsefulQuality) +
          "; such hashes match too much to be published");
    }
    entry.input.quality = static_cast<int>(**quality);
  }
  auto patches = TextField(item, "patches", 2 * hash::kMaxPatchesBytes, false);
  if (!patches) return patches.error().WithContext(where);
  if (!patches->empty()) {
    // The second stage's signature of the picture (`rempart hash
    // --patches`); the store refuses it on anything but a PDQ hash.
    auto signature = hash::ParsePatches(*patches);
    if (!signature) return signature.error().WithContext(where);
    entry.input.patches = *std::move(signature);
  }
  auto category = TextField(item, "category", 32, true);
  if (!category) return category.error().WithContext(where);
  auto parsed_category = store::ParseCategory(*category);
  if (!parsed_category) return parsed_category.error().WithContext(where);
  entry.input.category = *parsed_category;
  auto source = TextField(item, "source_org", store::kMaxEntryTextBytes, false);
  if (!source) return source.error().WithContext(where);
  entry.input.source_org = *source;
  auto external =
      TextField(item, "external_id", store::kMaxEntryTextBytes, false);
  if (!external) return external.error().WithContext(where);
  entry.input.external_id = *external;
  return entry;
}

}  // namespace

HttpResponse Service::Impl::ListBanks(Call& /*call*/) {
  auto banks = deps_.store->ListBanks();
  if (!banks) return StatusResponse(banks.error());
  json out = json::array();
  for (const store::Bank& bank : *banks) {
    auto stats = deps_.store->Stats(bank.name);
    out.push_back(BankJson(bank, stats ? &*stats : nullptr));
  }
  return JsonResponse(200, {{"banks", std::move(out)}});
}

HttpResponse Service::Impl::CreateBank(Call& call) {
  if (Status s = OnlyFields(call.body, {"name", "description"}, "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  auto name = TextField(call.body, "name", store::kMaxBankNameBytes, true);
  if (!name) return StatusResponse(name.error());
  auto description = TextField(call.body, "description",
                               store::kMaxBankDescriptionBytes, false);
  if (!description) return StatusResponse(description.error());
  auto bank = deps_.store->CreateBank(*name, *description, call.actor);
  if (!bank) return StatusResponse(bank.error());
  (void)deps_.matcher->Refresh();
  return JsonResponse(201, BankJson(*bank, nullptr));
}

HttpResponse Service::Impl::GetBank(Call& call) {
  auto bank = deps_.store->GetBank(call.params[0]);
  if (!bank) return StatusResponse(bank.error());
  auto stats = deps_.store->Stats(bank->name);
  if (!stats) return StatusResponse(stats.error());
  return JsonResponse(200, BankJson(*bank, &*stats));
}

HttpResponse Service::Impl::SubmitEntries(Call& call) {
  if (Status s = OnlyFields(call.body, {"entries"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto items = call.body.find("entries");
  if (items == call.body.end() || !items->is_array() || items->empty()) {
    return ErrorResponse(400, "invalid_argument",
                         "'entries' must be a non-empty array");
  }
  if (items->size() > config_.max_entries_per_submit) {
    return ErrorResponse(413, "too_large",
                         "at most " +
                             std::to_string(config_.max_entries_per_submit) +
                             " entries per call");
  }
  std::vector<store::NewEntry> entries;
  entries.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto entry = ParseEntry((*items)[i], i);
    if (!entry) return StatusResponse(entry.error());
    entries.push_back(std::move(*entry));
  }
  auto outcome = deps_.store->AddEntries(call.params[0], entries, call.actor);
  if (!outcome) return StatusResponse(outcome.error());
  // Visible to matching before the answer leaves.
  if (Status refreshed = deps_.matcher->Refresh(); !refreshed.ok()) {
    return StatusResponse(refreshed);
  }
  return JsonResponse(outcome->added > 0 ? 201 : 200,
                      {{"added", outcome->added},
                       {"unchanged", outcome->unchanged},
                       {"signed_existing", outcome->signed_existing},
                       {"added_ids", outcome->added_ids},
                       {"revision", outcome->revision}});
}

HttpResponse Service::Impl::GetEntry(Call& call) {
  auto id = EntryId(call.params[0]);
  if (!id) return StatusResponse(id.error());
  auto entry = deps_.store->GetEntry(*id);
  if (!entry) return StatusResponse(entry.error());
  return JsonResponse(200, EntryJson(*entry));
}

HttpResponse Service::Impl::RevokeEntry(Call& call) {
  if (Status s = OnlyFields(call.body, {"reason"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto reason = TextField(call.body, "reason", store::kMaxEntryTextBytes, true);
  if (!reason) return StatusResponse(reason.error());
  auto id = EntryId(call.params[0]);
  if (!id) return StatusResponse(id.error());
  auto entry = deps_.store->GetEntry(*id);
  if (!entry) return StatusResponse(entry.error());
  auto revoked = deps_.store->Revoke(entry->bank, entry->input.signal, *reason,
                                     call.actor);
  if (!revoked) return StatusResponse(revoked.error());
  if (Status refreshed = deps_.matcher->Refresh(); !refreshed.ok()) {
    return StatusResponse(refreshed);
  }
  return JsonResponse(200, EntryJson(*revoked));
}

}  // namespace rempart::service
