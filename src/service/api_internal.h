// What the API's route files share: the call context, the route table, and
// the JSON helpers that turn Status values and store types into responses.
#ifndef REMPART_SERVICE_API_INTERNAL_H_
#define REMPART_SERVICE_API_INTERNAL_H_

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "rempart/match/matcher.h"
#include "rempart/service/service.h"
#include "rempart/service/static_files.h"

namespace rempart::service {

// Who may call a route: a set of these bits.
enum Access : unsigned {
  kAnonymous = 1u << 0,  // No key (victims; health checks).
  kPlatform = 1u << 1,
  kAnalyst = 1u << 2,
  kAdmin = 1u << 3,
  kStaff = kAnalyst | kAdmin,
  kAnyKey = kPlatform | kAnalyst | kAdmin,
  kEveryone = kAnonymous | kAnyKey,
};

enum class BodyKind { kNone, kJson, kUpload };

struct Call {
  const HttpRequest& request;
  Principal principal;
  store::Actor actor;
  std::vector<std::string> params;  // The {…} segments, in order.
  nlohmann::json body;              // Parsed when the route takes JSON.
};

class Service::Impl {
 public:
  Impl(const ServiceConfig& config, const ServiceDeps& deps, Metrics& metrics,
       const std::atomic<bool>& ready);

  HttpResponse Dispatch(const HttpRequest& request);
  std::size_t BodyLimit(const RequestHead& head) const;
  Status Refresh();
  Status LoadKeys() { return keys_.Reload(); }
  // Reads the web root into memory (config.web_root) when the web pages
  // are enabled. A missing root is logged, not an error.
  Status LoadStaticFiles();
  // Reads which entries were published from cases (for RecordMatches()).
  Status LoadCaseEntries();
  void SetServerGauges(std::function<std::vector<GaugeSample>()> gauges) {
    server_gauges_ = std::move(gauges);
  }

  // GET/HEAD of a web page or asset (any path outside /v1 that no route
  // takes).
  HttpResponse ServeStatic(const HttpRequest& request);

  // Handlers (one file per resource: system_routes.cc, match_routes.cc,
  // bank_routes.cc, case_routes.cc, key_routes.cc).
  HttpResponse Health(Call& call);
  HttpResponse Ready(Call& call);
  HttpResponse MetricsText(Call& call);
  HttpResponse OpenApi(Call& call);
  HttpResponse Match(Call& call);
  // A video uploaded to /v1/hash-match.
  HttpResponse HashMatchVideo(Call& call, std::span<const std::uint8_t> upload,
                              int radius,
                              const std::vector<std::string>& banks);
  HttpResponse HashMatch(Call& call);
  HttpResponse ListBanks(Call& call);
  HttpResponse CreateBank(Call& call);
  HttpResponse GetBank(Call& call);
  HttpResponse SubmitEntries(Call& call);
  HttpResponse GetEntry(Call& call);
  HttpResponse RevokeEntry(Call& call);
  HttpResponse CreateReport(Call& call);
  HttpResponse ListCases(Call& call);
  HttpResponse GetCase(Call& call);
  HttpResponse SetCaseStatus(Call& call);
  HttpResponse ReplyToCase(Call& call);
  HttpResponse ReviewCaseRoute(Call& call);
  HttpResponse VerifyCaseRoute(Call& call);
  HttpResponse RejectCaseRoute(Call& call);
  HttpResponse RequestInfoRoute(Call& call);
  HttpResponse BulkCases(Call& call);
  HttpResponse ReportOutcome(Call& call);
  HttpResponse WhoAmI(Call& call);
  HttpResponse CreateKey(Call& call);
  HttpResponse ListKeys(Call& call);
  HttpResponse RevokeKey(Call& call);

 private:
  // Case views (case_routes.cc): the victim's, or staff's with everything.
  nlohmann::json CaseView(const store::Case& c, bool staff);
  std::int64_t ActivePlatformCount();
  // The case a victim names with its code and X-Case-Secret; on failure,
  // `refusal` holds the answer (404 for a wrong pair, 401 without secret).
  Result<store::Case> CaseOfVictim(const Call& call, HttpResponse& refusal);
  // Workflow steps shared by the single and bulk routes.
  Result<store::Case> ReviewCase(const std::string& code,
                                 const std::string& note,
                                 const store::Actor& actor);
  Result<store::Case> VerifyCase(const std::string& code,
                                 const std::string& bank,
                                 const std::string& note,
                                 const store::Actor& actor);
  Result<store::Case> RejectCase(const std::string& code,
                                 const std::string& reason_code,
                                 const std::string& message,
                                 const std::string& note,
                                 const store::Actor& actor);
  // Records a match outcome for each hit on an entry published from a
  // case, once per (platform key, entry). Called only when a match call
  // has hits, so matching without hits touches none of this.
  void RecordMatches(const Principal& principal,
                     const std::vector<match::Hit>& hits);

  const ServiceConfig& config_;
  ServiceDeps deps_;
  Metrics& metrics_;
  const std::atomic<bool>& ready_;
  KeyRing keys_;
  RateLimiter limiter_;
  std::function<std::vector<GaugeSample>()> server_gauges_;
  StaticFiles static_files_;
  // Entries published from cases, and the (platform key, entry) matches
  // already recorded: the store ignores a repeat too, this spares the
  // write.
  std::mutex outcomes_mutex_;
  std::unordered_set<std::int64_t> case_entries_;
  std::set<std::pair<std::string, std::int64_t>> recorded_matches_;
};

struct RouteSpec {
  const char* method;
  const char* pattern;
  unsigned access;
  BodyKind body;
  HttpResponse (Service::Impl::*handler)(Call&);
};
const std::vector<RouteSpec>& RouteTable();

// Responses.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
// The HTTP answer to a failed Status: InvalidArgument 400, NotFound 404,
// AlreadyExists 409, PermissionDenied 403, ResourceExhausted 413,
// DeadlineExceeded 422 (the input took too long to decode), Unavailable
// 503, others 500 (logged, message withheld).
HttpResponse StatusResponse(const Status& status);

// Reading JSON bodies: each returns InvalidArgument naming the field.
Result<std::string> TextField(const nlohmann::json& object,
                              std::string_view field, std::size_t max_bytes,
                              bool required);
Result<std::optional<std::int64_t>> IntegerField(const nlohmann::json& object,
                                                 std::string_view field,
                                                 std::int64_t min,
                                                 std::int64_t max);
Status OnlyFields(const nlohmann::json& object,
                  std::initializer_list<std::string_view> fields,
                  std::string_view where);

// Query-string parameters ("a=1&b=x"), percent-decoded; first one wins.
std::optional<std::string> QueryParam(std::string_view query,
                                      std::string_view name);
// An integer query parameter within min…max; none when absent;
// InvalidArgument naming it otherwise.
Result<std::optional<std::int64_t>> QueryInteger(std::string_view query,
                                                 std::string_view name,
                                                 std::int64_t min,
                                                 std::int64_t max);

// A video's vPDQ frames given as the reference text (a string) or as an
// array of {"frame", "quality", "pdq", "timestamp"} objects, checked as
// hash::ParseVpdq checks text. InvalidArgument naming `where`.
Result<std::vector<hash::VpdqFrame>> FramesValue(const nlohmann::json& value,
                                                 const std::string& where);
nlohmann::json FramesJson(std::span<const hash::VpdqFrame> frames);
// The frames of a video item ({"kind": "vpdq", "frames": …, "value"?}) of
// an entry or a report; a value, when given, must be the frames' name.
Result<std::vector<hash::VpdqFrame>> VideoItem(const nlohmann::json& item,
                                               const std::string& where);

// JSON views of store types.
nlohmann::json EntryJson(const store::Entry& entry);
nlohmann::json HitJson(const match::Hit& hit);
nlohmann::json VideoHitJson(const match::VideoHit& hit);
nlohmann::json BankJson(const store::Bank& bank, const store::BankStats* stats);

}  // namespace rempart::service

#endif  // REMPART_SERVICE_API_INTERNAL_H_
