// Reports and cases: a victim (no key) or an analyst reports hashes and
// gets a case code and secret; the victim follows the case with them,
// staff triage it with their keys.
//
// The triage workflow (docs/SERVICE.md, "Triage"): received → in_review
// (an analyst claims it) → verified (its hashes published to a bank) or
// rejected (with a reason code) or needs_info (a question to the victim,
// who answers with a reply and sends the case back to received). A
// verified case is final here: undoing it means revoking its entries.
//
// Two views of a case. The victim's shows what happened and what the
// analyst wrote to them, never who acted, staff notes, their own contact
// or replies, or which platform did what. Staff see everything, contacts
// and replies opened with the service's sealing key.

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "rempart/service/log.h"
#include "service/api_internal.h"

namespace rempart::service {
namespace {

using nlohmann::json;
using store::CaseStatus;

constexpr std::size_t kMaxContactBytes = 1024;
constexpr std::size_t kMaxReasonBytes = 512;
// Messages to and from the victim, and staff notes.
constexpr std::size_t kMaxMessageBytes = 2000;
constexpr std::size_t kMaxNoteBytes = 2000;
constexpr std::size_t kMaxBulkCodes = 100;

// Why a case is rejected: the victim page explains each.
constexpr std::array<std::string_view, 6> kRejectReasonCodes = {
    "not_intimate", "public_context", "duplicate", "insufficient_information",
    "out_of_scope", "other"};

// Steps other than a reply may start from any status but verified.
const std::vector<CaseStatus>& NotVerified() {
  static const std::vector<CaseStatus> statuses = {
      CaseStatus::kReceived, CaseStatus::kInReview, CaseStatus::kNeedsInfo,
      CaseStatus::kRejected};
  return statuses;
}

// What a report's "hashes" array holds: signals, videos by their frames
// ({"kind": "vpdq", "frames": …}), and the patch signatures of PDQ hashes
// ({"kind": "pdq", "value": …, "patches": …}, from the victim page).
struct Reported {
  std::vector<store::Signal> signals;
  std::vector<std::vector<hash::VpdqFrame>> videos;
  std::vector<store::CasePatches> patches;
};

Status ParseSignalItem(const json& item, std::size_t position,
                       Reported& reported) {
  const std::string where = "hashes[" + std::to_string(position) + "]";
  REMPART_RETURN_IF_ERROR(
      OnlyFields(item, {"kind", "value", "frames", "patches"}, where));
  auto kind_text = TextField(item, "kind", 16, true);
  if (!kind_text) return kind_text.error().WithContext(where);
  auto kind = store::ParseSignalKind(*kind_text);
  if (!kind) return kind.error().WithContext(where);
  const auto frames = item.find("frames");
  if (*kind == store::SignalKind::kVpdq) {
    auto video = VideoItem(item, where);
    if (!video) return video.error();
    reported.videos.push_back(*std::move(video));
    return OkStatus();
  }
  if (frames != item.end()) {
    return InvalidArgumentError(where + ": 'frames' is for vpdq hashes");
  }
  auto value = TextField(item, "value", 64, true);
  if (!value) return value.error().WithContext(where);
  auto signal = store::Signal::FromHex(*kind, *value);
  if (!signal) return signal.error().WithContext(where);
  auto patches = TextField(item, "patches", 2 * hash::kMaxPatchesBytes, false);
  if (!patches) return patches.error().WithContext(where);
  if (!patches->empty()) {
    if (*kind != store::SignalKind::kPdq) {
      return InvalidArgumentError(where + ": 'patches' is for pdq hashes");
    }
    auto signature = hash::ParsePatches(*patches);
    if (!signature) return signature.error().WithContext(where);
    // A hash reported twice keeps its first signature.
    const bool known = std::any_of(
        reported.patches.begin(), reported.patches.end(),
        [&](const store::CasePatches& p) { return p.pdq == signal->pdq(); });
    if (!known)
      reported.patches.push_back({signal->pdq(), *std::move(signature)});
  }
  reported.signals.push_back(*signal);
  return OkStatus();
}

// The "hashes" array of a body; empty when absent and not required.
Result<Reported> ParseSignals(const json& body, bool required) {
  Reported reported;
  auto hashes = body.find("hashes");
  if (hashes == body.end() || hashes->is_null()) {
    if (required) {
      return InvalidArgumentError("'hashes' must be a non-empty array");
    }
    return reported;
  }
  if (!hashes->is_array() || (required && hashes->empty())) {
    return InvalidArgumentError("'hashes' must be a non-empty array");
  }
  if (hashes->size() > store::kMaxCaseSignals) {
    return ResourceExhaustedError("at most " +
                                  std::to_string(store::kMaxCaseSignals) +
                                  " hashes per case");
  }
  for (std::size_t i = 0; i < hashes->size(); ++i) {
    REMPART_RETURN_IF_ERROR(ParseSignalItem((*hashes)[i], i, reported));
  }
  return reported;
}

Status ValidateReasonCode(std::string_view code) {
  if (std::find(kRejectReasonCodes.begin(), kRejectReasonCodes.end(), code) !=
      kRejectReasonCodes.end()) {
    return OkStatus();
  }
  std::string list;
  for (std::string_view known : kRejectReasonCodes) {
    if (!list.empty()) list += ", ";
    list += known;
  }
  return InvalidArgumentError("'reason_code' must be one of " + list);
}

constexpr const char* kLanguageHelp =
    R"('language' is a language tag such as "en" or "fr")";

// A language tag as browsers send it, lower-cased: "en", "fr", "pt-br".
Result<std::string> ParseLanguage(const json& body) {
  auto text = TextField(body, "language", 16, false);
  if (!text) return text.error();
  if (text->empty()) return std::string("en");
  std::string language = *text;
  for (char& c : language) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!((c >= 'a' && c <= 'z') || c == '-')) {
      return InvalidArgumentError(kLanguageHelp);
    }
  }
  if (language.size() < 2) return InvalidArgumentError(kLanguageHelp);
  return language;
}

json HistoryJson(const store::Case& c, bool staff) {
  json history = json::array();
  for (const store::CaseEvent& event : c.history) {
    json step = {{"at_ms", event.at_ms},
                 {"status", store::CaseStatusName(event.status)},
                 {"step", event.action}};
    if (!event.reason_code.empty()) step["reason_code"] = event.reason_code;
    if (staff) {
      step["actor"] = event.actor;
      if (!event.reason.empty()) step["reason"] = event.reason;
      if (!event.note.empty()) step["note"] = event.note;
    }
    history.push_back(std::move(step));
  }
  return history;
}

json OutcomesJson(const store::Case& c, bool staff) {
  std::int64_t matches = 0;
  std::int64_t removals = 0;
  json last = nullptr;
  json items = json::array();
  for (const store::CaseOutcome& outcome : c.outcomes) {
    (outcome.kind == store::OutcomeKind::kMatch ? matches : removals) += 1;
    last = outcome.at_ms;
    if (staff) {
      items.push_back({{"at_ms", outcome.at_ms},
                       {"kind", store::OutcomeKindName(outcome.kind)},
                       {"platform", outcome.platform},
                       {"entry_id", outcome.entry_id}});
    }
  }
  json out = {
      {"matches", matches}, {"removals", removals}, {"last_at_ms", last}};
  if (staff) out["items"] = std::move(items);
  return out;
}

// At most `max_bytes` of `text`, cut before a character rather than inside
// one.
std::string Utf8Prefix(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut);
}

bool IsStaff(const Principal& principal) {
  return !principal.anonymous() && (principal.role == store::Role::kAnalyst ||
                                    principal.role == store::Role::kAdmin);
}

// The answer to a failed case step: 409 with `conflict_code` when the case
// is not in a state for it, the usual mapping otherwise.
HttpResponse CaseError(const Status& status, std::string_view conflict_code) {
  if (status.code() == StatusCode::kAlreadyExists) {
    return ErrorResponse(409, conflict_code, status.message());
  }
  return StatusResponse(status);
}

// A typed case code in its canonical form, or a 404 (unknown and
// malformed codes look the same).
Result<std::string> CaseCodeParam(const std::string& typed) {
  auto code = NormalizeCaseCode(typed);
  if (!code) return NotFoundError("no such case");
  return *code;
}

}  // namespace

// --- Views -----------------------------------------------------------------

json Service::Impl::CaseView(const store::Case& c, bool staff) {
  json signals = json::array();
  std::size_t video = 0;
  for (const store::Signal& signal : c.signals) {
    json item = {{"kind", store::SignalKindName(signal.kind())},
                 {"value", signal.hex()}};
    if (signal.kind() == store::SignalKind::kVpdq && staff &&
        video < c.videos.size()) {
      item["frames"] = FramesJson(c.videos[video]);
    }
    if (signal.kind() == store::SignalKind::kVpdq) ++video;
    // Staff see which pictures came with a signature (it is published with
    // the hash), as the shared form.
    if (signal.kind() == store::SignalKind::kPdq && staff) {
      for (const store::CasePatches& patches : c.patches) {
        if (patches.pdq == signal.pdq()) {
          item["patches"] = hash::FormatPatches(patches.signature);
        }
      }
    }
    signals.push_back(std::move(item));
  }
  json published = nullptr;
  if (c.published.has_value()) {
    published = {{"at_ms", c.published->at_ms},
                 {"bank", c.published->bank},
                 {"platforms", ActivePlatformCount()}};
    if (staff) published["entries"] = c.published->entry_ids;
  }
  json out = {{"code", c.code},
              {"category", store::CategoryName(c.category)},
              {"status", store::CaseStatusName(c.status)},
              {"language", c.language},
              {"hashes", std::move(signals)},
              {"history", HistoryJson(c, staff)},
              {"has_contact", !c.sealed_contact.empty()},
              {"published", std::move(published)},
              {"outcomes", OutcomesJson(c, staff)},
              {"created_at_ms", c.created_at_ms},
              {"updated_at_ms", c.updated_at_ms}};
  if (!c.reason_code.empty()) out["status_reason_code"] = c.reason_code;
  if (!c.message.empty()) out["message"] = c.message;
  if (!staff) return out;
  out["id"] = c.id;
  out["channel"] = c.channel;
  if (!c.reason.empty()) out["reason"] = c.reason;
  if (!c.sealed_contact.empty()) {
    auto contact = deps_.sealer->Open(c.sealed_contact);
    if (contact) {
      out["contact"] = *contact;
    } else {
      out["contact_error"] =
          "the contact cannot be opened with this service's key";
    }
  }
  json replies = json::array();
  for (const store::CaseReply& reply : c.replies) {
    auto message = deps_.sealer->Open(reply.sealed_message);
    json item = {{"at_ms", reply.at_ms}};
    if (message) {
      item["message"] = *message;
    } else {
      item["message_error"] =
          "the reply cannot be opened with this service's key";
    }
    replies.push_back(std::move(item));
  }
  out["replies"] = std::move(replies);
  return out;
}

std::int64_t Service::Impl::ActivePlatformCount() {
  auto keys = deps_.keys->ListKeys();
  if (!keys) return 0;
  return std::count_if(keys->begin(), keys->end(), [](const auto& key) {
    return key.role == store::Role::kPlatform && !key.revoked_at_ms;
  });
}

// --- Victims ---------------------------------------------------------------

HttpResponse Service::Impl::CreateReport(Call& call) {
  const json& body = call.body;
  if (Status s = OnlyFields(
          body, {"category", "hashes", "contact", "consent", "language"},
          "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  // A victim agrees, in so many words, to what the service does with the
  // hashes; staff reporting on someone's behalf have their own process.
  auto consent = body.find("consent");
  if (consent != body.end() && !consent->is_null() && !consent->is_boolean()) {
    return ErrorResponse(400, "invalid_argument",
                         "'consent' must be true or false");
  }
  const bool consented =
      consent != body.end() && consent->is_boolean() && consent->get<bool>();
  if (call.principal.anonymous() && !consented) {
    return ErrorResponse(400, "consent_required",
                         "a report needs \"consent\": true (the hashes are "
                         "shared with the platforms that check uploads)");
  }
  auto category_text = TextField(body, "category", 32, true);
  if (!category_text) return StatusResponse(category_text.error());
  auto category = store::ParseCategory(*category_text);
  if (!category) return StatusResponse(category.error());
  auto signals = ParseSignals(body, true);
  if (!signals) return StatusResponse(signals.error());
  auto contact = TextField(body, "contact", kMaxContactBytes, false);
  if (!contact) return StatusResponse(contact.error());
  auto language = ParseLanguage(body);
  if (!language) return StatusResponse(language.error());

  store::NewCase new_case;
  new_case.category = *category;
  new_case.channel = call.principal.anonymous() ? "victim" : "analyst";
  new_case.signals = std::move(signals->signals);
  new_case.videos = std::move(signals->videos);
  new_case.patches = std::move(signals->patches);
  new_case.language = *language;
  if (!contact->empty()) new_case.sealed_contact = deps_.sealer->Seal(*contact);
  // A fresh code collides with an existing one about once in 10^12 draws
  // at a million cases; draw again when it does.
  for (int attempt = 0; attempt < 4; ++attempt) {
    IssuedCase issued = IssueCaseCredentials();
    new_case.code = issued.code;
    new_case.secret_salt = issued.salt;
    new_case.secret_hash = issued.hash;
    store::Actor actor = call.actor;
    if (call.principal.anonymous()) actor.id = "case:" + issued.code;
    auto created = deps_.cases->CreateCase(new_case, actor);
    if (!created && created.error().code() == StatusCode::kAlreadyExists) {
      continue;
    }
    if (!created) return StatusResponse(created.error());
    return JsonResponse(
        201,
        {{"case_code", created->code},
         {"case_secret", issued.secret},
         {"status", store::CaseStatusName(created->status)},
         {"hashes", created->signals.size()},
         {"follow", "GET /v1/cases/" + created->code +
                        " with the header 'X-Case-Secret: <case_secret>'. Keep "
                        "the secret: it is shown only once."}});
  }
  return StatusResponse(InternalError("could not draw a free case code"));
}

Result<store::Case> Service::Impl::CaseOfVictim(const Call& call,
                                                HttpResponse& refusal) {
  // The same answer for an unknown code and a wrong secret.
  auto unknown = [&] {
    refusal =
        ErrorResponse(404, "not_found", "no case with this code and secret");
    return NotFoundError("no case with this code and secret");
  };
  auto code = NormalizeCaseCode(call.params[0]);
  if (!code) return unknown();
  const std::string_view typed = call.request.head.Header("X-Case-Secret");
  if (typed.empty()) {
    refusal = ErrorResponse(401, "unauthenticated",
                            "send the case secret in the X-Case-Secret header");
    return PermissionDeniedError("no case secret");
  }
  auto secret = NormalizeCaseSecret(typed);
  if (!secret) return unknown();
  auto found = deps_.cases->GetCase(*code);
  if (!found) {
    if (found.error().code() == StatusCode::kNotFound) return unknown();
    refusal = StatusResponse(found.error());
    return found.error();
  }
  if (!SecretMatches(found->secret_salt, found->secret_hash, *secret)) {
    return unknown();
  }
  return found;
}

HttpResponse Service::Impl::GetCase(Call& call) {
  if (!IsStaff(call.principal)) {
    HttpResponse refusal;
    auto found = CaseOfVictim(call, refusal);
    if (!found) return refusal;
    return JsonResponse(200, CaseView(*found, false));
  }
  auto code = CaseCodeParam(call.params[0]);
  if (!code) return StatusResponse(code.error());
  auto found = deps_.cases->GetCase(*code);
  if (!found) return StatusResponse(found.error());
  return JsonResponse(200, CaseView(*found, true));
}

HttpResponse Service::Impl::ReplyToCase(Call& call) {
  if (Status s = OnlyFields(call.body, {"message", "hashes"}, "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  HttpResponse refusal;
  auto found = CaseOfVictim(call, refusal);
  if (!found) return refusal;
  auto message = TextField(call.body, "message", kMaxMessageBytes, true);
  if (!message) return StatusResponse(message.error());
  auto signals = ParseSignals(call.body, false);
  if (!signals) return StatusResponse(signals.error());
  store::CaseUpdate update;
  update.status = CaseStatus::kReceived;
  update.action = "reply";
  update.only_from = {CaseStatus::kNeedsInfo};
  update.sealed_reply = deps_.sealer->Seal(*message);
  update.add_signals = std::move(signals->signals);
  update.add_videos = std::move(signals->videos);
  update.add_patches = std::move(signals->patches);
  const store::Actor actor{"case:" + found->code};
  auto updated = deps_.cases->UpdateCase(found->code, update, actor);
  if (!updated) return CaseError(updated.error(), "not_awaiting_reply");
  return JsonResponse(200, CaseView(*updated, false));
}

// --- Staff -----------------------------------------------------------------

HttpResponse Service::Impl::WhoAmI(Call& call) {
  auto key = deps_.keys->GetKey(call.principal.key_id);
  if (!key) return StatusResponse(key.error());
  return JsonResponse(200, {{"key_id", key->key_id},
                            {"name", key->name},
                            {"role", store::RoleName(key->role)}});
}

HttpResponse Service::Impl::ListCases(Call& call) {
  store::CaseFilter filter;
  const std::string_view query = call.request.head.query;
  if (auto status = QueryParam(query, "status"); status && !status->empty()) {
    auto parsed = store::ParseCaseStatus(*status);
    if (!parsed) return StatusResponse(parsed.error());
    filter.status = *parsed;
  }
  if (auto category = QueryParam(query, "category");
      category && !category->empty()) {
    auto parsed = store::ParseCategory(*category);
    if (!parsed) return StatusResponse(parsed.error());
    filter.category = *parsed;
  }
  auto after =
      QueryInteger(query, "after", 0, std::numeric_limits<std::int64_t>::max());
  if (!after) return StatusResponse(after.error());
  auto limit = QueryInteger(
      query, "limit", 1, static_cast<std::int64_t>(store::kMaxCaseListLimit));
  if (!limit) return StatusResponse(limit.error());
  if (*after) filter.after_id = **after;
  if (*limit) filter.limit = static_cast<std::size_t>(**limit);

  // q: a case code, or a hash. 32 hex digits are an MD5; 64 are a SHA-256
  // or a PDQ hash, so both are searched.
  std::vector<store::CaseFilter> searches;
  std::string q = QueryParam(query, "q").value_or("");
  while (!q.empty() && q.back() == ' ') q.pop_back();
  while (!q.empty() && q.front() == ' ') q.erase(0, 1);
  if (q.empty()) {
    searches.push_back(filter);
  } else if (auto code = NormalizeCaseCode(q)) {
    filter.code = *code;
    searches.push_back(filter);
  } else if (q.size() == 32 || q.size() == 64) {
    for (store::SignalKind kind :
         q.size() == 32
             ? std::vector<store::SignalKind>{store::SignalKind::kMd5}
             : std::vector<store::SignalKind>{store::SignalKind::kSha256,
                                              store::SignalKind::kPdq,
                                              store::SignalKind::kVpdq}) {
      auto signal = store::Signal::FromHex(kind, q);
      if (!signal) {
        return ErrorResponse(400, "invalid_argument",
                             "q is a case code or a hash in hex");
      }
      store::CaseFilter search = filter;
      search.signal = *signal;
      searches.push_back(search);
    }
  } else {
    return ErrorResponse(400, "invalid_argument",
                         "q is a case code (RMP-XXXX-XXXX) or a hash in hex "
                         "(32 digits for MD5, 64 for SHA-256 or PDQ)");
  }
  // Each search returns the first `limit` cases past `after` in id order;
  // the first `limit` of their union is the page.
  std::vector<store::Case> cases;
  for (const store::CaseFilter& search : searches) {
    auto found = deps_.cases->ListCases(search);
    if (!found) return StatusResponse(found.error());
    for (store::Case& c : *found) {
      if (std::none_of(
              cases.begin(), cases.end(),
              [&](const store::Case& seen) { return seen.id == c.id; })) {
        cases.push_back(std::move(c));
      }
    }
  }
  std::sort(
      cases.begin(), cases.end(),
      [](const store::Case& a, const store::Case& b) { return a.id < b.id; });
  if (cases.size() > filter.limit) cases.resize(filter.limit);
  json out = json::array();
  for (const store::Case& c : cases) {
    json item = {{"id", c.id},
                 {"code", c.code},
                 {"category", store::CategoryName(c.category)},
                 {"status", store::CaseStatusName(c.status)},
                 {"language", c.language},
                 {"hashes", c.signals.size()},
                 {"channel", c.channel},
                 {"has_contact", !c.sealed_contact.empty()},
                 {"created_at_ms", c.created_at_ms},
                 {"updated_at_ms", c.updated_at_ms}};
    if (!c.reason_code.empty()) item["status_reason_code"] = c.reason_code;
    if (c.published.has_value()) {
      item["published"] = {{"bank", c.published->bank},
                           {"at_ms", c.published->at_ms}};
    }
    out.push_back(std::move(item));
  }
  json next = nullptr;
  if (cases.size() == filter.limit) next = cases.back().id;
  return JsonResponse(200, {{"cases", std::move(out)}, {"next_after", next}});
}

Result<store::Case> Service::Impl::ReviewCase(const std::string& code,
                                              const std::string& note,
                                              const store::Actor& actor) {
  store::CaseUpdate update;
  update.status = CaseStatus::kInReview;
  update.action = "review";
  update.note = note;
  update.only_from = NotVerified();
  return deps_.cases->UpdateCase(code, update, actor);
}

Result<store::Case> Service::Impl::VerifyCase(const std::string& code,
                                              const std::string& bank,
                                              const std::string& note,
                                              const store::Actor& actor) {
  auto verified =
      deps_.cases->PublishCase(code, bank, config_.org_name, note, actor);
  if (!verified) return verified.error();
  // Matchable before the answer leaves, as with submitted entries.
  REMPART_RETURN_IF_ERROR(deps_.matcher->Refresh());
  if (verified->published.has_value()) {
    std::lock_guard lock(outcomes_mutex_);
    case_entries_.insert(verified->published->entry_ids.begin(),
                         verified->published->entry_ids.end());
  }
  return verified;
}

Result<store::Case> Service::Impl::RejectCase(const std::string& code,
                                              const std::string& reason_code,
                                              const std::string& message,
                                              const std::string& note,
                                              const store::Actor& actor) {
  REMPART_RETURN_IF_ERROR(ValidateReasonCode(reason_code));
  store::CaseUpdate update;
  update.status = CaseStatus::kRejected;
  update.action = "reject";
  update.reason_code = reason_code;
  update.reason = message.empty() ? reason_code : Utf8Prefix(message, 512);
  update.message = message;
  update.note = note;
  update.only_from = NotVerified();
  return deps_.cases->UpdateCase(code, update, actor);
}

HttpResponse Service::Impl::ReviewCaseRoute(Call& call) {
  if (Status s = OnlyFields(call.body, {"note"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto code = CaseCodeParam(call.params[0]);
  if (!code) return StatusResponse(code.error());
  auto note = TextField(call.body, "note", kMaxNoteBytes, false);
  if (!note) return StatusResponse(note.error());
  auto updated = ReviewCase(*code, *note, call.actor);
  if (!updated) return CaseError(updated.error(), "already_verified");
  return JsonResponse(200, CaseView(*updated, true));
}

HttpResponse Service::Impl::VerifyCaseRoute(Call& call) {
  if (Status s = OnlyFields(call.body, {"bank", "note"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto code = CaseCodeParam(call.params[0]);
  if (!code) return StatusResponse(code.error());
  auto bank = TextField(call.body, "bank", store::kMaxBankNameBytes, true);
  if (!bank) return StatusResponse(bank.error());
  auto note = TextField(call.body, "note", kMaxNoteBytes, false);
  if (!note) return StatusResponse(note.error());
  auto verified = VerifyCase(*code, *bank, *note, call.actor);
  if (!verified) return CaseError(verified.error(), "already_verified");
  return JsonResponse(200, CaseView(*verified, true));
}

HttpResponse Service::Impl::RejectCaseRoute(Call& call) {
  if (Status s =
          OnlyFields(call.body, {"reason_code", "message", "note"}, "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  auto code = CaseCodeParam(call.params[0]);
  if (!code) return StatusResponse(code.error());
  auto reason_code = TextField(call.body, "reason_code", 64, true);
  if (!reason_code) return StatusResponse(reason_code.error());
  auto message = TextField(call.body, "message", kMaxMessageBytes, false);
  if (!message) return StatusResponse(message.error());
  auto note = TextField(call.body, "note", kMaxNoteBytes, false);
  if (!note) return StatusResponse(note.error());
  auto rejected = RejectCase(*code, *reason_code, *message, *note, call.actor);
  if (!rejected) return CaseError(rejected.error(), "already_verified");
  return JsonResponse(200, CaseView(*rejected, true));
}

HttpResponse Service::Impl::RequestInfoRoute(Call& call) {
  if (Status s = OnlyFields(call.body, {"message", "note"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto code = CaseCodeParam(call.params[0]);
  if (!code) return StatusResponse(code.error());
  auto message = TextField(call.body, "message", kMaxReasonBytes, true);
  if (!message) return StatusResponse(message.error());
  auto note = TextField(call.body, "note", kMaxNoteBytes, false);
  if (!note) return StatusResponse(note.error());
  store::CaseUpdate update;
  update.status = CaseStatus::kNeedsInfo;
  update.action = "request_info";
  update.reason = *message;
  update.message = *message;
  update.note = *note;
  update.only_from = NotVerified();
  auto updated = deps_.cases->UpdateCase(*code, update, call.actor);
  if (!updated) return CaseError(updated.error(), "already_verified");
  return JsonResponse(200, CaseView(*updated, true));
}

HttpResponse Service::Impl::BulkCases(Call& call) {
  const json& body = call.body;
  if (Status s = OnlyFields(
          body, {"codes", "action", "bank", "reason_code", "message", "note"},
          "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  auto codes = body.find("codes");
  if (codes == body.end() || !codes->is_array() || codes->empty()) {
    return ErrorResponse(400, "invalid_argument",
                         "'codes' must be a non-empty array of case codes");
  }
  if (codes->size() > kMaxBulkCodes) {
    return ErrorResponse(
        413, "too_large",
        "at most " + std::to_string(kMaxBulkCodes) + " cases per bulk action");
  }
  for (const json& code : *codes) {
    if (!code.is_string() || code.get_ref<const std::string&>().size() > 64) {
      return ErrorResponse(400, "invalid_argument",
                           "'codes' holds case codes (strings)");
    }
  }
  auto action = TextField(body, "action", 32, true);
  if (!action) return StatusResponse(action.error());
  auto bank = TextField(body, "bank", store::kMaxBankNameBytes, false);
  if (!bank) return StatusResponse(bank.error());
  auto reason_code = TextField(body, "reason_code", 64, false);
  if (!reason_code) return StatusResponse(reason_code.error());
  auto message = TextField(body, "message", kMaxMessageBytes, false);
  if (!message) return StatusResponse(message.error());
  auto note = TextField(body, "note", kMaxNoteBytes, false);
  if (!note) return StatusResponse(note.error());
  if (*action == "verify") {
    if (bank->empty()) {
      return ErrorResponse(400, "invalid_argument",
                           "'bank' is required to verify");
    }
    if (auto known = deps_.store->GetBank(*bank); !known) {
      return StatusResponse(known.error());
    }
  } else if (*action == "reject") {
    if (Status s = ValidateReasonCode(*reason_code); !s.ok()) {
      return StatusResponse(s);
    }
  } else if (*action != "review") {
    return ErrorResponse(400, "invalid_argument",
                         "'action' must be review, verify or reject");
  }
  // Each case is its own transaction: one that fails leaves the others.
  json results = json::array();
  for (const json& typed : *codes) {
    const auto& text = typed.get_ref<const std::string&>();
    auto code = NormalizeCaseCode(text);
    auto done =
        !code ? Result<store::Case>(NotFoundError("no such case"))
        : *action == "review" ? ReviewCase(*code, *note, call.actor)
        : *action == "verify"
            ? VerifyCase(*code, *bank, *note, call.actor)
            : RejectCase(*code, *reason_code, *message, *note, call.actor);
    if (done) {
      results.push_back({{"code", done->code},
                         {"ok", true},
                         {"status", store::CaseStatusName(done->status)}});
      continue;
    }
    const Status& error = done.error();
    std::string error_code = "internal";
    std::string error_message = "internal error (logged)";
    switch (error.code()) {
      case StatusCode::kNotFound:
        error_code = "not_found";
        error_message = error.message();
        break;
      case StatusCode::kAlreadyExists:
        error_code = "already_verified";
        error_message = error.message();
        break;
      case StatusCode::kInvalidArgument:
        error_code = "invalid_argument";
        error_message = error.message();
        break;
      default:
        LogEvent(LogLevel::kError, "bulk_case_failed",
                 {{"error", error.message()}});
        break;
    }
    results.push_back(
        {{"code", code ? *code : text.substr(0, 32)},
         {"ok", false},
         {"error", {{"code", error_code}, {"message", error_message}}}});
  }
  return JsonResponse(200, {{"results", std::move(results)}});
}

HttpResponse Service::Impl::SetCaseStatus(Call& call) {
  if (Status s = OnlyFields(call.body, {"status", "reason"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto code = NormalizeCaseCode(call.params[0]);
  if (!code) return ErrorResponse(404, "not_found", "no such case");
  auto status_text = TextField(call.body, "status", 32, true);
  if (!status_text) return StatusResponse(status_text.error());
  auto status = store::ParseCaseStatus(*status_text);
  if (!status) return StatusResponse(status.error());
  auto reason = TextField(call.body, "reason", kMaxReasonBytes, false);
  if (!reason) return StatusResponse(reason.error());
  // The older route: a status and a reason the victim sees (as the
  // message).
  store::CaseUpdate update;
  update.status = *status;
  update.action = "status";
  update.reason = *reason;
  update.message = *reason;
  auto updated = deps_.cases->UpdateCase(*code, update, call.actor);
  if (!updated) return StatusResponse(updated.error());
  return JsonResponse(200, CaseView(*updated, true));
}

// --- Outcomes --------------------------------------------------------------

Status Service::Impl::LoadCaseEntries() {
  auto ids = deps_.cases->PublishedEntryIds();
  if (!ids) return ids.error();
  std::lock_guard lock(outcomes_mutex_);
  case_entries_.insert(ids->begin(), ids->end());
  return OkStatus();
}

void Service::Impl::RecordMatches(const Principal& principal,
                                  const std::vector<match::Hit>& hits) {
  // Only platforms' matches are outcomes: staff checking a hash is not a
  // platform finding the picture.
  if (principal.anonymous() || principal.role != store::Role::kPlatform) {
    return;
  }
  std::vector<std::int64_t> fresh;
  {
    std::lock_guard lock(outcomes_mutex_);
    for (const match::Hit& hit : hits) {
      if (case_entries_.contains(hit.entry.id) &&
          recorded_matches_.emplace(principal.key_id, hit.entry.id).second) {
        fresh.push_back(hit.entry.id);
      }
    }
  }
  const store::Actor actor{"key:" + principal.key_id};
  for (std::int64_t entry_id : fresh) {
    auto recorded = deps_.cases->RecordOutcome(
        entry_id, store::OutcomeKind::kMatch, principal.key_id, actor);
    if (!recorded) {
      // The match answer stands; the next hit tries again.
      LogEvent(LogLevel::kWarn, "outcome_not_recorded",
               {{"entry_id", entry_id}, {"error", recorded.error().message()}});
      std::lock_guard lock(outcomes_mutex_);
      recorded_matches_.erase({principal.key_id, entry_id});
    }
  }
}

HttpResponse Service::Impl::ReportOutcome(Call& call) {
  if (Status s = OnlyFields(call.body, {"outcome"}, "body"); !s.ok()) {
    return StatusResponse(s);
  }
  auto outcome = TextField(call.body, "outcome", 32, true);
  if (!outcome) return StatusResponse(outcome.error());
  if (*outcome != "removed" && *outcome != "blocked") {
    return ErrorResponse(400, "invalid_argument",
                         "'outcome' must be removed or blocked");
  }
  std::int64_t id = 0;
  const std::string& text = call.params[0];
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return ErrorResponse(404, "not_found", "no such entry");
  }
  auto recorded = deps_.cases->RecordOutcome(id, store::OutcomeKind::kRemoval,
                                             call.principal.key_id, call.actor);
  if (!recorded) return StatusResponse(recorded.error());
  return JsonResponse(200, {{"recorded", true}});
}

}  // namespace rempart::service
