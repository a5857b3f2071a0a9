// API keys, for admins: issue (the token is shown once), list, revoke.
#include "service/api_internal.h"

namespace rempart::service {
namespace {

using nlohmann::json;

json KeyJson(const store::ApiKey& key) {
  json out = {{"key_id", key.key_id},
              {"name", key.name},
              {"role", store::RoleName(key.role)},
              {"rate_per_second", key.rate_per_second},
              {"created_at_ms", key.created_at_ms},
              {"revoked", key.revoked_at_ms.has_value()}};
  if (key.revoked_at_ms) out["revoked_at_ms"] = *key.revoked_at_ms;
  return out;
}

}  // namespace

HttpResponse Service::Impl::CreateKey(Call& call) {
  if (Status s =
          OnlyFields(call.body, {"name", "role", "rate_per_second"}, "body");
      !s.ok()) {
    return StatusResponse(s);
  }
  auto name = TextField(call.body, "name", 128, true);
  if (!name) return StatusResponse(name.error());
  auto role_text = TextField(call.body, "role", 16, true);
  if (!role_text) return StatusResponse(role_text.error());
  auto role = store::ParseRole(*role_text);
  if (!role) return StatusResponse(role.error());
  auto rate = IntegerField(call.body, "rate_per_second", 0, 1'000'000);
  if (!rate) return StatusResponse(rate.error());
  IssuedKey issued =
      IssueKey(*name, *role, static_cast<int>(rate->value_or(0)));
  auto stored = deps_.keys->CreateKey(issued.record, call.actor);
  if (!stored) return StatusResponse(stored.error());
  keys_.Put(*stored);
  json out = KeyJson(*stored);
  out["key"] = issued.token;
  out["note"] = "store this key now: it is shown only once";
  return JsonResponse(201, out);
}

HttpResponse Service::Impl::ListKeys(Call& /*call*/) {
  auto keys = deps_.keys->ListKeys();
  if (!keys) return StatusResponse(keys.error());
  json out = json::array();
  for (const store::ApiKey& key : *keys) out.push_back(KeyJson(key));
  return JsonResponse(200, {{"keys", std::move(out)}});
}

HttpResponse Service::Impl::RevokeKey(Call& call) {
  auto revoked = deps_.keys->RevokeKey(call.params[0], call.actor);
  if (!revoked) return StatusResponse(revoked.error());
  keys_.Put(*revoked);
  return JsonResponse(200, KeyJson(*revoked));
}

}  // namespace rempart::service
