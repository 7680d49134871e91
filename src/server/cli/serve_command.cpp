#include "server/cli/serve_command.hpp"

#include <pthread.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "server/api/application.hpp"
#include "server/approvals/approval_waiters.hpp"
#include "server/approvals/expiry_sweeper.hpp"
#include "server/auth/access_control.hpp"
#include "server/auth/accounts.hpp"
#include "server/auth/login_throttle.hpp"
#include "server/auth/password_hasher.hpp"
#include "server/auth/sessions.hpp"
#include "server/auth/setup_token.hpp"
#include "server/cli/descriptor_limit.hpp"
#include "server/cli/metrics_listener.hpp"
#include "server/cli/store_location.hpp"
#include "server/http/http_server.hpp"
#include "server/ingest/commit_queue.hpp"
#include "server/ingest/ingestor.hpp"
#include "server/live/commit_notifier.hpp"
#include "server/live/stream_limiter.hpp"
#include "server/metrics/metrics.hpp"
#include "server/model/clock.hpp"
#include "server/notify/webhook_dispatcher.hpp"
#include "server/policy/policy_cache.hpp"
#include "server/quota/quota_counter.hpp"
#include "server/service/agent_service.hpp"
#include "server/service/approval_service.hpp"
#include "server/service/key_service.hpp"
#include "server/service/member_service.hpp"
#include "server/service/project_service.hpp"
#include "server/service/retention_sweeper.hpp"
#include "server/service/token_service.hpp"
#include "server/service/webhook_service.hpp"
#include "server/store/cached_project_store.hpp"

namespace agentsudo::server::cli {
namespace asio = boost::asio;

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
// How long a shutdown waits for requests in flight before it stops anyway.
constexpr auto kDrainDeadline = std::chrono::seconds(10);
// Argon2id threads: at most this many logins hash at once (64 MiB each).
constexpr std::size_t kPasswordThreads = 2;

int fail(const std::string& message) {
  spdlog::error("{}", message);
  return kFailed;
}

// On the first start of an empty data directory, creates the "default"
// project and prints its key once, so `make run` is all a newcomer needs.
// Returns that key, or nothing when the directory was not new.
Result<std::optional<std::string>> bootstrap_default_project(ProjectService& projects) {
  ASSIGN_OR_RETURN(auto created, projects.create_default());
  if (!created)
    return std::optional<std::string>();
  std::cout << "Created project \"default\" (" << created->project.id << ", free tier)\n"
            << "API key (shown once, store it now): " << created->key.plaintext << "\n"
            << std::flush;
  return std::optional(created->key.plaintext);
}

Result<std::array<unsigned char, api::CursorCodec::kKeyBytes>> cursor_key(ProjectStore& projects) {
  std::array<unsigned char, api::CursorCodec::kKeyBytes> key;
  randombytes_buf(key.data(), key.size());
  char hex[key.size() * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  ASSIGN_OR_RETURN(auto stored, projects.setting_or_insert("cursor_key", hex));
  if (sodium_hex2bin(key.data(), key.size(), stored.data(), stored.size(), nullptr, nullptr,
                     nullptr) != 0) {
    return make_error(ErrorKind::kInternal, "the stored cursor key is corrupt");
  }
  return key;
}

// How long a dashboard session lives; AGENTSUDO_SESSION_TTL_SECONDS overrides
// the 12 hours so that tests can watch a session expire.
std::chrono::seconds session_ttl() {
  const char* configured = std::getenv("AGENTSUDO_SESSION_TTL_SECONDS");
  if (configured == nullptr)
    return Sessions::kDefaultTtl;
  long seconds = std::strtol(configured, nullptr, 10);
  return seconds > 0 ? std::chrono::seconds(seconds) : Sessions::kDefaultTtl;
}

// "http://HOST:PORT" as a browser on this machine would reach the server.
std::string base_url(const asio::ip::tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  std::string host = address.is_unspecified() ? "127.0.0.1" : address.to_string();
  if (address.is_v6() && !address.is_unspecified())
    host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(endpoint.port());
}

// The links in notifications start here: --public-url without its trailing
// slashes, else the address the server listens on.
Result<std::string> public_url(const ServeOptions& options,
                               const asio::ip::tcp::endpoint& endpoint) {
  std::string url = options.public_url.empty() ? base_url(endpoint) : options.public_url;
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return make_error(ErrorKind::kInvalidParameter,
                      "--public-url must start with http:// or https://");
  while (url.back() == '/')
    url.pop_back();
  return url;
}

// While nobody can log in, prints the one-time link that creates the first
// admin and returns it. The token is in the fragment, which browsers never
// send to a server.
Result<std::optional<std::string>> offer_setup(Accounts& accounts, SetupToken& setup,
                                               const std::string& url) {
  ASSIGN_OR_RETURN(bool needed, accounts.setup_needed());
  if (!needed)
    return std::optional<std::string>();
  std::string link = url + "/setup#token=" + setup.issue();
  std::cout << "Set up the first admin account: " << link << "\n" << std::flush;
  return std::optional(link);
}

// What --ready-file promises: written whole (rename) and readable by the
// owner only, since it may hold the first key and the setup link.
Status write_ready_file(const std::filesystem::path& path, const boost::json::object& ready) {
  auto temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << boost::json::serialize(ready) << "\n";
    if (!out.flush())
      return make_error(ErrorKind::kInternal, "cannot write " + temporary.string());
  }
  std::error_code failed;
  std::filesystem::permissions(
      temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, failed);
  if (!failed)
    std::filesystem::rename(temporary, path, failed);
  if (failed)
    return make_error(ErrorKind::kInternal,
                      "cannot write " + path.string() + ": " + failed.message());
  return {};
}

// The transport's limits from the options; the connection cap, unless given,
// from what the descriptor limit leaves once the store is open.
http::TransportLimits transport_limits(const ServeOptions& options, std::size_t descriptor_limit,
                                       unsigned io_threads) {
  http::TransportLimits limits;
  limits.request_timeout = std::chrono::seconds(options.request_timeout_seconds);
  limits.idle_timeout = std::chrono::seconds(options.idle_timeout_seconds);
  limits.max_connections =
      options.max_connections != 0
          ? options.max_connections
          : default_max_connections(descriptor_limit, descriptors_in_use(), io_threads);
  spdlog::info("serving up to {} connections at once", limits.max_connections);
  return limits;
}

// With --metrics-listen, binds the metrics listener and returns the URL to
// scrape; nothing without it.
Result<std::optional<std::string>> listen_for_metrics(const ServeOptions& options,
                                                      MetricsListener& listener) {
  if (options.metrics_listen.empty())
    return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto endpoint, listener.listen(options.metrics_listen));
  return std::optional(base_url(endpoint) + "/metrics");
}

// Stops accepting, waits for requests in flight (bounded), then stops the loop.
void drain_then_stop(asio::io_context& io, http::HttpServer& server) {
  server.stop_accepting();
  auto deadline = std::chrono::steady_clock::now() + kDrainDeadline;
  auto timer = std::make_shared<asio::steady_timer>(io);
  auto poll = std::make_shared<std::function<void()>>();
  *poll = [&io, &server, deadline, timer, poll] {
    auto in_flight = server.requests_in_flight();
    if (in_flight == 0 || std::chrono::steady_clock::now() >= deadline) {
      // Said, so that an operator (and a test) can tell a clean drain from one
      // that gave up on requests still running.
      if (in_flight != 0)
        spdlog::warn("drain deadline passed with {} requests in flight; stopping anyway",
                     in_flight);
      io.stop();
      *poll = nullptr;  // breaks the self-reference
      return;
    }
    timer->expires_after(std::chrono::milliseconds(5));
    timer->async_wait([poll](const boost::system::error_code&) {
      if (*poll)
        (*poll)();
    });
  };
  (*poll)();
}

// While it lives, what other nodes commit to the shared store wakes this
// node's live feeds, policy long-polls and approval waits, as this node's own
// commits do. Does nothing on a store no other node writes.
class OtherNodesFollower {
 public:
  OtherNodesFollower(ChangeFeed* feed, CommitNotifier& commits, PolicyCache& policies,
                     ApprovalWaiters& approvals)
      : feed_(feed) {
    if (!feed_)
      return;
    feed_->start([&commits, &policies, &approvals](const StoreChange& change) {
      if (change.project_rowid == 0) {
        commits.notify_all();
        policies.changed_all();
        return;
      }
      if (change.kind == StoreChange::Kind::kPolicy)
        policies.changed(change.project_rowid);
      if (change.kind == StoreChange::Kind::kApproval)
        approvals.decided(change.approval_id);
      commits.notify(std::span(&change.project_rowid, 1));
    });
  }
  ~OtherNodesFollower() {
    if (feed_)
      feed_->stop();
  }
  OtherNodesFollower(const OtherNodesFollower&) = delete;
  OtherNodesFollower& operator=(const OtherNodesFollower&) = delete;

 private:
  ChangeFeed* feed_;
};

}  // namespace

int run_serve(const ServeOptions& options) {
  if (sodium_init() < 0)
    return fail("libsodium failed to start");
  auto proxies = http::TrustedProxies::parse(options.trusted_proxies);
  if (!proxies)
    return fail(proxies.error().message);
  unsigned threads = options.io_threads != 0 ? options.io_threads
                                             : std::max(1u, std::thread::hardware_concurrency());
  std::size_t descriptor_limit = raise_descriptor_limit();

  auto store = open_store(StoreLocation{options.data_dir, options.database_url}, threads + 1);
  if (!store)
    return fail(store.error().message);
  Metrics metrics;
  metrics.set_sdk_loss_source([&delivery = *store->delivery]() -> std::optional<SdkLoss> {
    auto totals = delivery.totals();
    if (!totals)
      return std::nullopt;
    return SdkLoss{totals->dropped, totals->gaps};
  });
  // Every request with an API key asks `projects`; revocations reach it
  // through the generation, from this process or the CLI.
  CachedProjectStore projects(*store->projects, store->credentials_generation,
                              {metrics.key_cache_hits, metrics.key_cache_misses});
  ProjectService project_service(projects);
  KeyService key_service(projects);
  MemberService member_service(*store->accounts);
  auto default_key = bootstrap_default_project(project_service);
  if (!default_key)
    return fail(default_key.error().message);
  auto key = cursor_key(projects);
  if (!key)
    return fail(key.error().message);

  // Before anything that posts to it (the password hasher's pool), so that it
  // is destroyed after them.
  asio::io_context io(static_cast<int>(threads));
  SystemClock clock;
  QuotaCounter quota([&projects](std::int64_t project, std::int64_t day) {
    return projects.events_on_day(project, day);
  });
  CommitNotifier commit_notifier;
  PolicyCache policies(*store->agents, metrics.policy_waiters);
  // Approval notifications: notify() from the approvals' listener queues
  // and returns; the worker starts once the server listens.
  WebhookService webhook_service(*store->webhooks, clock);
  WebhookDispatcher webhook_dispatcher(*store->webhooks, clock);
  // A policy change is also an event (policy_changed), so live feeds hear it.
  AgentService agent_service(*store->agents, *store->analytics, clock,
                             [&policies, &commit_notifier](std::int64_t project) {
                               policies.changed(project);
                               commit_notifier.notify(std::span(&project, 1));
                             });
  CommitQueue commits(
      *store->events, metrics, CommitQueue::kDefaultMaxEventsPerCommit,
      [&commit_notifier](std::span<const std::int64_t> projects_committed) {
        commit_notifier.notify(projects_committed);
      },
      std::chrono::seconds(options.checkpoint_interval_seconds));
  Ingestor ingestor(quota, commits, clock, metrics);
  ApprovalWaiters approval_waiters(metrics.approval_waiters);
  // Every committed request, decision and expiry: it wakes the requester's
  // waits, the live feeds (it is also an event, approval_*) and the
  // project's webhooks. Runs on the committing thread, so nothing here blocks.
  ApprovalService approval_service(
      *store->approvals, clock,
      [&approval_waiters, &commit_notifier, &webhook_dispatcher](const Approval& approval) {
        approval_waiters.decided(approval.id);
        commit_notifier.notify(std::span(&approval.project_rowid, 1));
        webhook_dispatcher.notify(approval);
      });
  ExpirySweeper expiry_sweeper(io, approval_service, clock);
  RetentionSweeper retention_sweeper(*store->retention, clock,
                                     std::chrono::seconds(options.retention_interval_seconds));
  api::CursorCodec cursors(*key);
  api::IngestHandler ingest(projects, ingestor);
  api::PolicyHandler policy(projects, policies);
  api::CheckHandler check(projects, policies, ingestor, approval_service);
  Sessions sessions(*store->accounts, clock, session_ttl());
  AccessControl access(projects, *store->accounts, sessions);
  PasswordHasher hasher(kPasswordThreads);
  // Counted where every node sees them when the nodes share a database.
  LoginThrottle throttle = store->login_failures ? LoginThrottle(clock, {}, *store->login_failures)
                                                 : LoginThrottle(clock);
  SetupToken setup;
  Accounts accounts(*store->accounts, hasher, throttle, sessions, setup);
  api::CookiePolicy cookies{options.secure_cookies};

  api::EventsHandler events(access, *store->events, cursors);
  api::OpsHandler ops(projects, metrics,
                      options.metrics_listen.empty() ? api::OpsHandler::MetricsHere::kYes
                                                     : api::OpsHandler::MetricsHere::kNo);
  api::SessionHandler session(accounts, access, sessions, cookies, metrics.login_throttled);
  api::UsersHandler users(access, accounts, *store->accounts);
  TokenService token_service(projects, clock);
  api::TokensHandler tokens(access, token_service);
  api::ServerInfoHandler server_info(access, cookies);
  api::ProjectsHandler project_handler(access, project_service);
  api::MembersHandler members(access, member_service);
  api::KeysHandler keys(access, key_service);
  api::AgentsHandler agents(access, agent_service);
  api::AnalyticsHandler analytics(access, *store->analytics, *store->delivery, clock);
  api::ExportHandler exports(access, *store->events, *store->audit);
  api::AuditHandler audit(access, *store->audit, store->signing_key->public_key());
  StreamLimiter live_streams(api::LiveHandler::kMaxStreamsPerPrincipal);
  api::LiveHandler live(access, *store->events, commit_notifier, cursors, live_streams);
  api::ApprovalsHandler approvals(access, projects, approval_service, approval_waiters, cursors);
  api::WebhooksHandler webhooks(access, webhook_service, webhook_dispatcher);
  api::DashboardFiles dashboard(options.web_dir.empty() ? api::default_web_dir()
                                                        : std::optional(options.web_dir));
  api::Application application(dashboard, metrics);
  application.mount_all({ingest, policy, check, session, users, tokens, server_info,
                         project_handler, members, keys, agents, events, ops, analytics, exports,
                         live, approvals, webhooks, audit});

  http::HttpServer server(
      io, application, transport_limits(options, descriptor_limit, threads),
      {metrics.connections_refused, metrics.connections_open, metrics.requests_timed_out},
      std::move(*proxies));
  auto endpoint = server.listen(options.listen);
  if (!endpoint)
    return fail(endpoint.error().message);
  MetricsListener metrics_listener(io, projects, metrics);
  auto metrics_url = listen_for_metrics(options, metrics_listener);
  if (!metrics_url)
    return fail(metrics_url.error().message);
  auto setup_link = offer_setup(accounts, setup, base_url(*endpoint));
  if (!setup_link)
    return fail(setup_link.error().message);
  auto links_base = public_url(options, *endpoint);
  if (!links_base)
    return fail(links_base.error().message);
  webhook_dispatcher.start(*links_base);
  OtherNodesFollower other_nodes(store->changes.get(), commit_notifier, policies, approval_waiters);
  server.start();
  if (*metrics_url)
    metrics_listener.start();
  expiry_sweeper.start();
  retention_sweeper.start();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec)
      return;
    spdlog::info("received signal {}, finishing requests in flight", signal);
    policies.release_waiters();
    approval_waiters.release_waiters();
    expiry_sweeper.stop();
    metrics_listener.stop_accepting();
    drain_then_stop(io, server);
  });

  std::cout << "agentsudo-server listening on http://" << endpoint->address().to_string() << ":"
            << endpoint->port() << " (data in "
            << describe(StoreLocation{options.data_dir, options.database_url}) << ")\n";
  if (*metrics_url)
    std::cout << "metrics on " << **metrics_url << "\n";
  std::cout << std::flush;
  if (!options.ready_file.empty()) {
    boost::json::object ready{{"url", base_url(*endpoint)}, {"pid", getpid()}};
    if (*setup_link)
      ready["setup_url"] = **setup_link;
    if (*default_key)
      ready["default_api_key"] = **default_key;
    if (*metrics_url)
      ready["metrics_url"] = **metrics_url;
    if (auto written = write_ready_file(options.ready_file, ready); !written)
      return fail(written.error().message);
  }
  if (dashboard.root())
    spdlog::info("dashboard files from {}", dashboard.root()->string());

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([&io] {
      pthread_setname_np(pthread_self(), "http-io");  // shows in top -H and perf
      io.run();
    });
  io.run();
  for (auto& worker : workers)
    worker.join();
  commits.stop();
  webhook_dispatcher.stop();
  spdlog::info("stopped; every acknowledged event is committed");
  return kOk;
}

}  // namespace agentsudo::server::cli
