#include "cli/serve_command.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "rempart/match/matcher.h"
#include "rempart/service/auth.h"
#include "rempart/service/config.h"
#include "rempart/service/http_server.h"
#include "rempart/service/log.h"
#include "rempart/service/sealing.h"
#include "rempart/service/service.h"
#include "rempart/store/sqlite_store.h"

namespace rempart::cli {
namespace {

using service::LogEvent;
using service::LogLevel;

int Fail(std::FILE* err, const Status& status) {
  std::fprintf(err, "rempart serve: %s\n", status.ToString().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage
                                                       : kExitSomeFailed;
}

Result<service::ServiceConfig> BuildConfig(const ServeCommandOptions& options) {
  service::ServiceConfig config;
  std::string file = options.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("REMPART_CONFIG"); env && *env)
      file = env;
  }
  if (!file.empty()) {
    REMPART_RETURN_IF_ERROR(service::ApplyConfigFile(file, config));
  }
  REMPART_RETURN_IF_ERROR(service::ApplyEnvironment(std::getenv, config));
  if (!options.data_dir.empty()) config.data_dir = options.data_dir;
  if (!options.listen.empty()) {
    REMPART_RETURN_IF_ERROR(service::ApplyListen(options.listen, config));
  }
  if (options.threads >= 0) config.threads = options.threads;
  if (!options.log_format.empty()) {
    auto format = service::ParseLogFormat(options.log_format);
    if (!format) return format.error();
    config.log_format = *format;
  }
  if (!options.log_level.empty()) config.log_level = options.log_level;
  if (options.metrics_public) config.metrics_public = true;
  if (options.robust) config.robust = true;
  if (options.min_patches > 0) config.min_patches = options.min_patches;
  if (!options.web_root.empty()) config.web_root = options.web_root;
  return config;
}

// On a first start there is no key at all: issue an admin key and leave it
// in a private file of the data directory (never in the log), so the
// operator can create the real keys with it.
Status BootstrapAdminKey(store::KeyStore& keys,
                         const std::filesystem::path& data_dir,
                         std::FILE* err) {
  auto existing = keys.ListKeys();
  if (!existing) return existing.error();
  if (!existing->empty()) return OkStatus();
  service::IssuedKey issued = service::IssueKey(
      "first admin (created on first start)", store::Role::kAdmin, 0);
  const std::filesystem::path file = data_dir / "secrets" / "admin.key";
  std::filesystem::create_directories(file.parent_path());
  {
    const mode_t previous = ::umask(077);
    std::ofstream out(file, std::ios::trunc);
    out << issued.token << "\n";
    ::umask(previous);
    if (!out) return UnavailableError("cannot write " + file.string());
  }
  auto stored = keys.CreateKey(issued.record, store::Actor{"system"});
  if (!stored) return stored.error();
  std::fprintf(err,
               "rempart serve: first start: an admin API key is in %s "
               "(readable by you only). Use it to create the other keys, "
               "then delete the file.\n",
               file.c_str());
  return OkStatus();
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "serve",
      "Run the HTTP service: matching, banks, reports (docs/SERVICE.md)");
  AddDataOption(*command, options.data_dir);
  command->add_option("--config", options.config_file,
                      "TOML settings file (default $REMPART_CONFIG)");
  command->add_option("--listen", options.listen,
                      "HOST:PORT to listen on (default 127.0.0.1:8080)");
  command
      ->add_option("--threads", options.threads,
                   "I/O threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  command->add_option("--log-format", options.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command
      ->add_option("--log-level", options.log_level,
                   "trace, debug, info, warn, error or off")
      ->check(
          CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  command->add_flag("--metrics-public", options.metrics_public,
                    "Serve /metrics without an admin key");
  command->add_flag(
      "--robust", options.robust,
      "Run the second stage on uploads to /v1/hash-match: finds cropped, "
      "framed, captioned, screenshotted and slightly turned copies of "
      "pictures banked with patch signatures; ~120 ms a picture ([match] "
      "robust)");
  command
      ->add_option("--min-patches", options.min_patches,
                   "Agreeing patches a second-stage match needs (default 2; "
                   "[match] min_patches)")
      ->check(CLI::Range(2, 16));
  command->add_option("--web-root", options.web_root,
                      "Directory of the web pages to serve (default: the "
                      "build's web/; [web] root)");
  return command;
}

int RunServeCommand(const ServeCommandOptions& options, std::FILE* out,
                    std::FILE* err) {
  auto config = BuildConfig(options);
  if (!config) return Fail(err, config.error());
  if (Status s =
          service::ConfigureLogging(config->log_format, config->log_level);
      !s.ok()) {
    return Fail(err, s);
  }
  if (Status s = service::InitCrypto(); !s.ok()) return Fail(err, s);

  // Signals are taken by this thread only (sigtimedwait below): block them
  // before any other thread starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::filesystem::path data_dir = config->data_dir;
  auto database = store::OpenSqliteDatabase(data_dir / "rempart.db");
  if (!database) return Fail(err, database.error());
  auto sealer =
      service::Sealer::OpenOrCreate(data_dir / "secrets" / "contact.key");
  if (!sealer) return Fail(err, sealer.error());
  if (Status s = BootstrapAdminKey(*database->keys, data_dir, err); !s.ok()) {
    return Fail(err, s);
  }

  LogEvent(LogLevel::kInfo, "loading", {{"data", data_dir.string()}});
  match::MatcherOptions matcher_options;
  matcher_options.snapshot_dir = SnapshotDir(data_dir);
  auto matcher = match::Matcher::Open(*database->store, matcher_options);
  if (!matcher) return Fail(err, matcher.error());
  std::size_t entries = 0;
  for (const match::BankLoad& load : (*matcher)->loads()) {
    entries += load.entries;
    LogEvent(LogLevel::kInfo, "bank_loaded",
             {{"bank", load.bank},
              {"entries", load.entries},
              {"from_snapshot", load.from_snapshot},
              {"seconds", load.seconds}});
  }

  service::ServiceDeps deps;
  deps.store = database->store.get();
  deps.audit = database->audit.get();
  deps.keys = database->keys.get();
  deps.cases = database->cases.get();
  deps.matcher = matcher->get();
  deps.sealer = &*sealer;
  service::Service api(*config, deps);
  if (Status s = api.Start(); !s.ok()) return Fail(err, s);

  service::ServerOptions server_options;
  server_options.address = config->address;
  server_options.port = config->port;
  server_options.threads = config->threads;
  server_options.limits = config->limits;
  server_options.on_error = [](const std::string& message) {
    LogEvent(LogLevel::kError, "http_error", {{"error", message}});
  };
  server_options.body_limit = [&api](const service::RequestHead& head) {
    return api.BodyLimit(head);
  };
  auto server = service::HttpServer::Start(
      server_options, [&api](const service::HttpRequest& request) {
        return api.Handle(request);
      });
  if (!server) return Fail(err, server.error());
  service::HttpServer& http = **server;
  api.SetServerGauges([&http] {
    return std::vector<service::GaugeSample>{
        {"rempart_http_connections", "Open client connections.", "",
         static_cast<double>(http.connections())},
        {"rempart_http_in_flight", "Requests being handled.", "",
         static_cast<double>(http.in_flight())}};
  });
  api.SetReady(true);
  const std::string host = config->address.find(':') != std::string::npos
                               ? "[" + config->address + "]"
                               : config->address;
  std::fprintf(out, "rempart serve: listening on http://%s:%u (%zu entries)\n",
               host.c_str(), static_cast<unsigned>(http.port()), entries);
  std::fflush(out);
  LogEvent(LogLevel::kInfo, "listening",
           {{"address", config->address}, {"port", http.port()}});

  // The main thread waits for a signal, refreshing meanwhile.
  const auto interval = config->refresh_interval;
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(interval.count() / 1000);
  wait.tv_nsec = static_cast<long>((interval.count() % 1000) * 1'000'000);
  int received = 0;
  while (true) {
    received = sigtimedwait(&signals, nullptr, &wait);
    if (received == SIGINT || received == SIGTERM) break;
    if (Status s = api.Refresh(); !s.ok()) {
      LogEvent(LogLevel::kWarn, "refresh_failed", {{"error", s.message()}});
    }
  }
  LogEvent(LogLevel::kInfo, "shutting_down",
           {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"},
            {"in_flight", http.in_flight()}});
  api.SetReady(false);
  http.Shutdown(config->shutdown_grace);
  LogEvent(LogLevel::kInfo, "stopped");
  return kExitOk;
}

CLI::App* AddKeyCommand(CLI::App& app, KeyCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "key", "Manage the service's API keys (stored hashed; shown once)");
  command->require_subcommand(1);
  CLI::App* create = command->add_subcommand("create", "Issue a key");
  AddDataOption(*create, options.data_dir);
  create->add_option("--name", options.name, "Who holds it")->required();
  create->add_option("--role", options.role, "admin, analyst or platform")
      ->required()
      ->check(CLI::IsMember({"admin", "analyst", "platform"}));
  create
      ->add_option("--rate", options.rate_per_second,
                   "Requests per second (default: the service's)")
      ->check(CLI::Range(0, 1'000'000));
  create->add_option("--format", options.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  CLI::App* list = command->add_subcommand("list", "List keys");
  AddDataOption(*list, options.data_dir);
  list->add_option("--format", options.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  CLI::App* revoke = command->add_subcommand("revoke", "Revoke a key");
  AddDataOption(*revoke, options.data_dir);
  revoke->add_option("key_id", options.key_id, "The key's id")->required();
  return command;
}

int RunKeyCommand(const CLI::App& command, const KeyCommandOptions& options,
                  std::FILE* out, std::FILE* err) {
  auto fail = [&](const Status& status) {
    std::fprintf(err, "rempart key: %s\n", status.ToString().c_str());
    return status.code() == StatusCode::kInvalidArgument ||
                   status.code() == StatusCode::kNotFound
               ? kExitUsage
               : kExitSomeFailed;
  };
  if (Status s = service::InitCrypto(); !s.ok()) return fail(s);
  auto database =
      store::OpenSqliteDatabase(DataDir(options.data_dir) / "rempart.db");
  if (!database) return fail(database.error());
  store::KeyStore& keys = *database->keys;
  const char* user = std::getenv("USER");
  const store::Actor actor{
      std::string("local:") +
      (user != nullptr && *user ? user : std::to_string(::getuid()))};
  if (command.got_subcommand("create")) {
    auto role = store::ParseRole(options.role);
    if (!role) return fail(role.error());
    service::IssuedKey issued =
        service::IssueKey(options.name, *role, options.rate_per_second);
    auto stored = keys.CreateKey(issued.record, actor);
    if (!stored) return fail(stored.error());
    if (options.format == "json") {
      std::fprintf(out, "%s\n",
                   nlohmann::json({{"key", issued.token},
                                   {"key_id", stored->key_id},
                                   {"role", options.role}})
                       .dump()
                       .c_str());
    } else {
      std::fprintf(out, "%s\n", issued.token.c_str());
      std::fprintf(err,
                   "rempart key: %s key %s issued; it is shown only this "
                   "once\n",
                   options.role.c_str(), stored->key_id.c_str());
    }
    return kExitOk;
  }
  if (command.got_subcommand("list")) {
    auto listed = keys.ListKeys();
    if (!listed) return fail(listed.error());
    for (const store::ApiKey& key : *listed) {
      if (options.format == "json") {
        nlohmann::json row = {{"key_id", key.key_id},
                              {"name", key.name},
                              {"role", store::RoleName(key.role)},
                              {"rate_per_second", key.rate_per_second},
                              {"revoked", key.revoked_at_ms.has_value()}};
        std::fprintf(
            out, "%s\n",
            row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                .c_str());
      } else {
        std::fprintf(out, "%s\t%s\t%s\t%s\n", key.key_id.c_str(),
                     std::string(store::RoleName(key.role)).c_str(),
                     key.revoked_at_ms ? "revoked" : "active",
                     key.name.c_str());
      }
    }
    return kExitOk;
  }
  auto revoked = keys.RevokeKey(options.key_id, actor);
  if (!revoked) return fail(revoked.error());
  std::fprintf(err, "rempart key: %s revoked\n", options.key_id.c_str());
  return kExitOk;
}

}  // namespace rempart::cli
