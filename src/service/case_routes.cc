// Reports and cases: a victim (no key) or an analyst reports hashes and
// gets a case code and secret; the victim follows the case with them,
// staff with their keys.

#include <limits>

#include "rempart/service/log.h"
#include "service/api_internal.h"

namespace rempart::service {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxContactBytes = 1024;
constexpr std::size_t kMaxReasonBytes = 512;

Result<store::Signal> ParseSignalItem(const json& item, std::size_t position) {
  const std::string where = "hashes[" + std::to_string(position) + "]";
  REMPART_RETURN_IF_ERROR(OnlyFields(item, {"kind", "value"}, where));
  auto kind_text = TextField(item, "kind", 16, true);
  if (!kind_text) return kind_text.error().WithContext(where);
  auto kind = store::ParseSignalKind(*kind_text);
  if (!kind) return kind.error().WithContext(where);
  auto value = TextField(item, "value", 64, true);
  if (!value) return value.error().WithContext(where);
  auto signal = store::Signal::FromHex(*kind, *value);
  if (!signal) return signal.error().WithContext(where);
  return *signal;
}

json HistoryJson(const store::Case& c, bool staff) {
  json history = json::array();
  for (const store::CaseEvent& event : c.history) {
    json step = {{"at_ms", event.at_ms},
                 {"status", store::CaseStatusName(event.status)}};
    if (!event.reason.empty()) step["reason"] = event.reason;
    if (staff) step["actor"] = event.actor;
    history.push_back(std::move(step));
  }
  return history;
}

json CaseJson(const store::Case& c, bool staff, const Sealer* sealer) {
  json signals = json::array();
  for (const store::Signal& signal : c.signals) {
    signals.push_back({{"kind", store::SignalKindName(signal.kind())},
                       {"value", signal.hex()}});
  }
  json out = {{"code", c.code},
              {"category", store::CategoryName(c.category)},
              {"status", store::CaseStatusName(c.status)},
              {"hashes", std::move(signals)},
              {"history", HistoryJson(c, staff)},
              {"has_contact", !c.sealed_contact.empty()},
              {"created_at_ms", c.created_at_ms},
              {"updated_at_ms", c.updated_at_ms}};
  if (!c.reason.empty()) out["reason"] = c.reason;
  if (staff) {
    out["id"] = c.id;
    out["channel"] = c.channel;
    if (!c.sealed_contact.empty() && sealer != nullptr) {
      auto contact = sealer->Open(c.sealed_contact);
      if (contact) {
        out["contact"] = *contact;
      } else {
        out["contact_error"] =
            "the contact cannot be opened with this "
            "service's key";
      }
    }
  }
  return out;
}

bool IsStaff(const Principal& principal) {
  return !principal.anonymous() && (principal.role == store::Role::kAnalyst ||
                                    principal.role == store::Role::kAdmin);
}

}  // namespace

HttpResponse Service::Impl::CreateReport(Call& call) {
  const json& body = call.body;
  if (Status s = OnlyFields(body, {"category", "hashes", "contact"}, "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  auto category_text = TextField(body, "category", 32, true);
  if (!category_text) return StatusResponse(category_text.error());
  auto category = store::ParseCategory(*category_text);
  if (!category) return StatusResponse(category.error());
  auto hashes = body.find("hashes");
  if (hashes == body.end() || !hashes->is_array() || hashes->empty()) {
    return ErrorResponse(400, "invalid_argument",
                         "'hashes' must be a non-empty array");
  }
  if (hashes->size() > store::kMaxCaseSignals) {
    return ErrorResponse(413, "too_large",
                         "at most " + std::to_string(store::kMaxCaseSignals) +
                             " hashes per report");
  }
  auto contact = TextField(body, "contact", kMaxContactBytes, false);
  if (!contact) return StatusResponse(contact.error());

  store::NewCase new_case;
  new_case.category = *category;
  new_case.channel = call.principal.anonymous() ? "victim" : "analyst";
  for (std::size_t i = 0; i < hashes->size(); ++i) {
    auto signal = ParseSignalItem((*hashes)[i], i);
    if (!signal) return StatusResponse(signal.error());
    new_case.signals.push_back(*signal);
  }
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

HttpResponse Service::Impl::ListCases(Call& call) {
  store::CaseFilter filter;
  const std::string_view query = call.request.head.query;
  if (auto status = QueryParam(query, "status")) {
    auto parsed = store::ParseCaseStatus(*status);
    if (!parsed) return StatusResponse(parsed.error());
    filter.status = *parsed;
  }
  auto after =
      QueryInteger(query, "after", 0, std::numeric_limits<std::int64_t>::max());
  if (!after) return StatusResponse(after.error());
  auto limit = QueryInteger(
      query, "limit", 0, static_cast<std::int64_t>(store::kMaxCaseListLimit));
  if (!limit) return StatusResponse(limit.error());
  if (*after) filter.after_id = **after;
  if (*limit) filter.limit = static_cast<std::size_t>(**limit);
  auto cases = deps_.cases->ListCases(filter);
  if (!cases) return StatusResponse(cases.error());
  json out = json::array();
  for (const store::Case& c : *cases) {
    json item = CaseJson(c, true, nullptr);  // No contacts in lists.
    item.erase("history");
    out.push_back(std::move(item));
  }
  return JsonResponse(200, {{"cases", std::move(out)}});
}

HttpResponse Service::Impl::GetCase(Call& call) {
  const bool staff = IsStaff(call.principal);
  // The same answer for an unknown code and a wrong secret.
  auto unknown = [] {
    return ErrorResponse(404, "not_found", "no case with this code and secret");
  };
  auto code = NormalizeCaseCode(call.params[0]);
  if (!code) return unknown();
  if (!staff) {
    const std::string_view typed = call.request.head.Header("X-Case-Secret");
    if (typed.empty()) {
      return ErrorResponse(401, "unauthenticated",
                           "send the case secret in the X-Case-Secret header");
    }
    auto secret = NormalizeCaseSecret(typed);
    if (!secret) return unknown();
    auto found = deps_.cases->GetCase(*code);
    if (!found) {
      return found.error().code() == StatusCode::kNotFound
                 ? unknown()
                 : StatusResponse(found.error());
    }
    if (!SecretMatches(found->secret_salt, found->secret_hash, *secret)) {
      return unknown();
    }
    return JsonResponse(200, CaseJson(*found, false, nullptr));
  }
  auto found = deps_.cases->GetCase(*code);
  if (!found) return StatusResponse(found.error());
  return JsonResponse(200, CaseJson(*found, true, deps_.sealer));
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
  auto updated =
      deps_.cases->SetCaseStatus(*code, *status, *reason, call.actor);
  if (!updated) return StatusResponse(updated.error());
  return JsonResponse(200, CaseJson(*updated, true, nullptr));
}

}  // namespace rempart::service
