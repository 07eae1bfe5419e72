#include "app/app.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <algorithm>

#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "agent/handlers.hpp"
#include "agent/pipeline.hpp"
#include "agent/repository.hpp"
#include "agent/service.hpp"
#include "analytics/events.hpp"
#include "analytics/handlers.hpp"
#include "app/demo.hpp"
#include "auth/access.hpp"
#include "auth/accounts.hpp"
#include "auth/admin_handlers.hpp"
#include "auth/admin_repository.hpp"
#include "auth/admin_service.hpp"
#include "auth/crypto.hpp"
#include "auth/handlers.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/permissions.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/service.hpp"
#include "auth/token_service.hpp"
#include "calendar/handlers.hpp"
#include "calendar/production_calendar.hpp"
#include "calendar/refresher.hpp"
#include "calendar/repository.hpp"
#include "calendar/service.hpp"
#include "calendar/views.hpp"
#include "calendar/views_handlers.hpp"
#include "calendar/views_repository.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "infra/bus/amqp_probe.hpp"
#include "infra/bus/task_queue.hpp"
#include "infra/bus/topology.hpp"
#include "infra/bus/worker.hpp"
#include "infra/cache/redis.hpp"
#include "infra/db/database.hpp"
#include "infra/db/migrations.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"
#include "management/handlers.hpp"
#include "management/repository.hpp"
#include "management/seed.hpp"
#include "management/service.hpp"
#include "notification/handlers.hpp"
#include "notification/mail.hpp"
#include "notification/repository.hpp"
#include "notification/service.hpp"
#include "notification/templates.hpp"
#include "ops/ops.hpp"
#include "ops/queue_gauges.hpp"
#include "ops/queue_transports.hpp"
#include "users/handlers.hpp"
#include "users/repository.hpp"
#include "users/seed.hpp"
#include "users/service.hpp"

namespace tabel::app {
namespace {

constexpr std::chrono::seconds kStartupDatabaseWait{30};
constexpr std::chrono::milliseconds kProbeTimeout{2000};
// The daily reminders of a whole company take a while; a mail is retried
// for hours (backoff up to ten minutes) while the mail server is away.
constexpr std::chrono::seconds kDailyLease{600};
constexpr int kMailAttempts = 30;
constexpr std::chrono::milliseconds kMailMaxBackoff{600000};

db::DatabaseOptions DatabaseOptionsFrom(const Config& config) {
  db::DatabaseOptions options;
  options.url = config.database_url;
  options.pool_size = static_cast<size_t>(config.db_pool_size);
  return options;
}

// Applies pending migrations, waiting for the database to come up (a pod may
// start before PostgreSQL does) but not forever.
int ApplyMigrations(db::Database& database, log::Logger& logger) {
  const auto deadline = std::chrono::steady_clock::now() + kStartupDatabaseWait;
  for (;;) {
    try {
      const int applied = db::Migrator(database).Apply();
      logger.Info("migrations_applied", {{"count", applied}});
      return applied;
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::kUnavailable || std::chrono::steady_clock::now() > deadline) throw;
      logger.Warn("database_unavailable_at_start",
                  {{"error", error.internal().empty() ? error.detail() : error.internal()}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

void RegisterProcessMetrics(metrics::Registry& registry, db::Database& database) {
  registry.AddGauge("tabel_build_info", "Build information; the value is always 1.", {"version"})
      .WithLabels({TABEL_VERSION})
      .Set(1);
  auto& pool =
      registry.AddGauge("tabel_db_pool_connections", "Database pool connections by state.", {"state"});
  registry.AddCollector([&pool, &database] {
    const auto in_use = static_cast<double>(database.in_use());
    pool.WithLabels({"in_use"}).Set(in_use);
    pool.WithLabels({"idle"}).Set(static_cast<double>(database.pool_size()) - in_use);
  });
}

// TABEL_BLOCKING_THREADS, or by the database: SQLite work is CPU in this
// process, so one thread per core (at least two); PostgreSQL work is mostly
// waiting for the server, so eight.
size_t BlockingThreads(const Config& config) {
  if (config.blocking_threads > 0) return static_cast<size_t>(config.blocking_threads);
  if (db::ParseDatabaseUrl(config.database_url).dialect == db::Dialect::kPostgresql) return 8;
  return std::max<size_t>(2, std::thread::hardware_concurrency());
}

// Whether a process of `services` (empty = all) runs `service`.
bool Runs(const std::vector<std::string>& services, std::string_view service) {
  return services.empty() || std::find(services.begin(), services.end(), service) != services.end();
}

// Whether a process needs the broker: `api`, it serves the routes of
// `services`; `consumers`, it runs their queues' consumers (a worker, or
// serve with TABEL_WORKER_THREADS > 0). A service that writes events (auth,
// management, analytics, notification, agent) needs its process's relay to
// reach the broker, and so does a consumer; calendar routes write none, and
// the users service's events only refresh cached views: they may wait in
// the outbox while the broker is away.
bool NeedsBroker(const std::vector<std::string>& services, bool api, bool consumers) {
  const auto any = [&](std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view name) { return Runs(services, name); });
  };
  return !api || (consumers && any({"calendar", "analytics", "notification", "agent"})) ||
         any({"auth", "management", "analytics", "notification", "agent"});
}

std::vector<ops::ReadinessCheck> ReadinessChecks(const Config& config, db::Database& database,
                                                 bool needs_broker) {
  std::vector<ops::ReadinessCheck> checks;
  checks.push_back({"database", [&database] { database.Ping(); }});
  if (!config.amqp_url.empty() && needs_broker) {
    checks.push_back({"broker", [url = config.amqp_url] { bus::PingAmqp(url, kProbeTimeout); }});
  }
  if (!config.redis_url.empty()) {
    // Without its cache the product works on: down, it is reported, not fatal.
    checks.push_back(
        {"cache", [url = config.redis_url] { cache::PingRedis(url, kProbeTimeout); }, /*required=*/false});
  }
  return checks;
}

// The cache of hot reads: Redis when configured, else memory. In Redis the
// keys of one database (every replica of one deployment) are apart from
// those of any other sharing the server.
std::unique_ptr<cache::Cache> MakeCache(const Config& config) {
  constexpr size_t kMemoryCacheBytes = size_t{32} << 20;
  constexpr size_t kRedisConnections = 16;
  constexpr size_t kPrefixDigits = 16;
  if (config.redis_url.empty()) return std::make_unique<cache::MemoryCache>(kMemoryCacheBytes);
  std::string prefix = auth::Sha256Hex(config.database_url).substr(0, kPrefixDigits) + ":";
  return std::make_unique<cache::RedisCache>(config.redis_url, std::move(prefix), kProbeTimeout,
                                             kRedisConnections);
}

// Each connection is a file descriptor: raise the soft limit to the hard one,
// and warn when even that is below what TABEL_MAX_CONNECTIONS allows.
void RaiseFileLimit(size_t max_connections, log::Logger& logger) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  constexpr rlim_t kReserved = 128;  // database, broker, cache, files
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + kReserved) {
    logger.Warn("file_limit_below_max_connections",
                {{"open_files", static_cast<int64_t>(limit.rlim_cur)}, {"max_connections", max_connections}});
  }
}

// glibc raises its mmap threshold to the size of each large block freed
// (up to 32 MiB), after which such blocks come from the arenas and stay in
// the process when freed — per arena, and every thread of the blocking pool
// gets one. A report's file of a few megabytes, read or made on a different
// thread each time, grew a server to 295 MB in eight downloads
// (bench/reports/run.sh). A fixed threshold keeps blocks of 1 MiB and more
// in mmap: back to the system as soon as they are freed.
void KeepLargeBlocksOutOfTheArenas() { mallopt(M_MMAP_THRESHOLD, 1 << 20); }

// Mail goes to the SMTP server when TABEL_SMTP_URL is set, else into
// TABEL_MAIL_DIR as .eml files.
std::unique_ptr<notification::Mailer> MakeMailer(const Config& config) {
  if (config.smtp_url.empty()) return std::make_unique<notification::MailDirMailer>(config.mail_dir);
  return std::make_unique<notification::SmtpMailer>(notification::SmtpOptions{.url = config.smtp_url});
}

notification::NotificationOptions NotificationOptionsFrom(const Config& config) {
  // Unsubscribe links are signed with a key derived from the token key, the
  // same on every replica; a random one without it (like the tokens).
  const std::string key = !config.jwt_secret.empty() ? config.jwt_secret : config.jwt_private_key;
  return {.organization = config.organization_name,
          .public_url = config.public_url,
          .from = {.email = config.mail_from, .name = "Табель"},
          .link_secret = auth::HmacSha256(key.empty() ? auth::RandomBytes(32) : key, "unsubscribe links"),
          .pending_reminder_days = config.pending_reminder_days,
          .reminder_hour = config.reminder_hour};
}

// What reads resignation letters: tesseract, and the model at
// TABEL_LLM_URL when it is set, else the offline rules. One of each per
// consumer thread (agent::AgentService keeps them).
agent::OcrFactory OcrFactoryFrom(const Config& config) {
  return [options = agent::OcrOptions{.tessdata_dir = config.tessdata_dir}] {
    return agent::MakeTesseractOcr(options);
  };
}

agent::ExtractorFactory ExtractorFactoryFrom(const Config& config) {
  if (config.llm_url.empty()) return [] { return agent::MakeRuleExtractor(); };
  return [options = agent::LlmOptions{.url = config.llm_url,
                                      .model = config.llm_model,
                                      .api_key = config.llm_api_key,
                                      .samples = config.llm_samples}] {
    return agent::MakeLlmExtractor(options);
  };
}

// The broker when TABEL_AMQP_URL is set: one set of options for the bus
// worker and the operator's view of its queues.
bus::AmqpOptions AmqpOptionsFrom(const Config& config) {
  return {.url = config.amqp_url, .prefix = config.amqp_prefix};
}

// The operator's view of the queues the worker runs on.
std::unique_ptr<ops::QueueTransport> MakeQueueTransport(const Config& config, db::Database& database,
                                                        bus::TaskQueue& tasks,
                                                        const bus::Topology& topology) {
  if (config.amqp_url.empty()) return std::make_unique<ops::EmbeddedQueues>(database, tasks, topology);
  return std::make_unique<ops::BrokerQueues>(database, tasks, topology, AmqpOptionsFrom(config));
}

// A change is told to the cached copies of team calendars, unread counts and
// people's reach by a generation in the cache; in memory, only this
// process's copies hear of it, and another process's serve on until they
// expire. Only one process running every service has nobody else to tell:
// a process apart (--services, or a worker) should share Redis, and says so.
void WarnOfAMemoryCacheApart(const Config& config, const std::vector<std::string>& services, bool api,
                             log::Logger& logger) {
  if (!config.redis_url.empty() || (api && services.empty())) return;
  logger.Warn(
      "memory_cache_apart",
      {{"detail",
        "TABEL_REDIS_URL is not set: this process caches in its own memory, where changes made through "
        "other processes reach it only when its copies expire (people's reach after 1 s, team calendars "
        "and unread counts after 60 s); processes running services apart should share Redis"}});
}

// Runs `io` on `threads` threads (this one included) until it is stopped.
void RunIo(asio::io_context& io, int threads) {
  std::vector<std::thread> extra;
  for (int i = 1; i < threads; ++i) extra.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& thread : extra) thread.join();
}

}  // namespace

const std::vector<std::string>& KnownServices() {
  static const std::vector<std::string> services = {"users",     "auth",         "management", "calendar",
                                                    "analytics", "notification", "agent"};
  return services;
}

App::App(Config config, log::Logger& logger) : config_(std::move(config)), logger_(logger) {}

App::~App() = default;

int App::Migrate() {
  db::Database database(DatabaseOptionsFrom(config_));
  ApplyMigrations(database, logger_);
  return 0;
}

// What the routes and workers of this process hold on to, built in
// dependency order (and torn down in reverse).
struct App::Runtime {
  // `api`: mount the API routes of `services` (empty = all); the operations
  // routes are always mounted. The consumers of `services`' queues run on
  // `consumer_threads` threads.
  Runtime(const Config& config, log::Logger& logger, size_t consumer_threads, bool api,
          const std::vector<std::string>& services)
      : database(DatabaseOptionsFrom(config)),
        blocking(BlockingThreads(config), config.max_concurrent_requests * 2),
        ops{registry, blocking,
            ReadinessChecks(config, database, NeedsBroker(services, api, consumer_threads > 0)),
            config.swagger_ui_dir},
        worker(database, topology, clock, logger, registry,
               {.consumer_threads = consumer_threads, .amqp = AmqpOptionsFrom(config)}),
        cache(MakeCache(config)),
        accounts(database, clock),
        refresh_tokens(database, clock),
        throttle(database, clock),
        tokens(config.jwt_private_key.empty()
                   ? auth::TokenServiceOptions::FromSecret(config.jwt_secret)
                   : auth::TokenServiceOptions::FromPrivateKey(config.jwt_private_key),
               clock),
        auth(accounts, refresh_tokens, throttle, tokens, hasher, &identities),
        admin_repository(database, clock),
        audit_log(database),
        access(database, clock, cache.get()),
        admin(admin_repository, accounts, audit_log, hasher, access, identities, clock),
        users_repository(database, clock),
        users(users_repository, access, clock),
        production_calendar(calendar::ProductionCalendar::Load(config.production_calendar_dir)),
        calendar_repository(database, clock),
        calendar(production_calendar, calendar_repository),
        calendar_refresher(calendar, logger, config.production_calendar_refresh),
        requests_repository(database, clock),
        management(requests_repository, users, access, production_calendar, clock,
                   {.first_leave_after_months = config.first_leave_after_months,
                    .enforce_split_leave = config.enforce_split_leave,
                    .lapses = {.carry_over_days = config.leave_carry_over_days,
                               .expiry_months = config.leave_expiry_months}}),
        calendar_views_repository(database),
        calendar_views(calendar_views_repository, users, access, production_calendar, *cache, clock),
        calendar_feeds(calendar_views_repository, calendar_views, users, auth, clock),
        timesheet_repository(database, clock),
        timesheets(timesheet_repository, users, access, production_calendar, clock, config.organization_name),
        report_repository(database, clock),
        reports(timesheets, timesheet_repository, report_repository, access, auth, clock,
                config.organization_name, std::chrono::hours(config.report_ttl_hours)),
        notification_repository(database, clock),
        templates(notification::Templates::Load()),
        mailer(MakeMailer(config)),
        notifications(notification_repository, templates, production_calendar, *mailer, *cache, clock,
                      registry, NotificationOptionsFrom(config)),
        letter_repository(database, clock),
        letters(letter_repository, users, access, management, OcrFactoryFrom(config),
                ExtractorFactoryFrom(config), clock),
        queue_transport(MakeQueueTransport(config, database, worker.tasks(), topology)),
        queue_admin(*queue_transport, clock),
        queue_gauges(config.amqp_url.empty()
                         ? nullptr
                         : std::make_unique<ops::QueueGauges>(*queue_transport, registry, logger)) {
    RegisterProcessMetrics(registry, database);
    // Every process declares every queue; it consumes only its services'.
    const auto runs = [&](std::string_view service) { return Runs(services, service); };
    // Team calendars are cached until an activity, an employee or a department changes.
    topology.Declare({.name = "calendar.cache",
                      .topics = {"request.approved", "request.cancelled", "request.closed",
                                 users::kEmployeeChangedTopic, users::kDepartmentChangedTopic}});
    if (runs("calendar")) {
      worker.Subscribe("calendar.cache", [this](const bus::Delivery&) { calendar_views.Invalidate(); });
    }
    // A request changed after its month was closed is carried into the next open month.
    topology.Declare({.name = analytics::kCarryQueue,
                      .topics = {"request.approved", "request.cancelled", "request.closed"}});
    if (runs("analytics")) {
      worker.Subscribe(analytics::kCarryQueue, [this](const bus::Delivery& delivery) {
        analytics::OnRequestEvent(timesheets, delivery);
      });
    }
    // Reports of more than one department are made in the background.
    topology.Declare({.name = analytics::kReportQueue,
                      .topics = {analytics::kReportRequestedTopic},
                      .max_attempts = analytics::kReportAttempts,
                      .lease = analytics::kReportLease});
    if (runs("analytics")) {
      worker.Subscribe(analytics::kReportQueue, [this](const bus::Delivery& delivery) {
        analytics::OnReportRequested(reports, delivery);
        // A report held a whole company's rows: give the freed pages back.
        malloc_trim(0);
      });
    }
    // People are told of events in the feed and by mail, one mail per message.
    topology.Declare(
        {.name = notification::kEventsQueue, .topics = notification::NotificationService::EventTopics()});
    topology.Declare(
        {.name = notification::kDailyQueue, .topics = {notification::kDailyTopic}, .lease = kDailyLease});
    topology.Declare({.name = notification::kMailQueue,
                      .topics = {notification::kMailTopic},
                      .max_attempts = kMailAttempts,
                      .max_backoff = kMailMaxBackoff});
    if (runs("notification")) {
      worker.Subscribe(notification::kEventsQueue,
                       [this](const bus::Delivery& delivery) { notifications.OnEvent(delivery); });
      worker.Subscribe(notification::kDailyQueue,
                       [this](const bus::Delivery& delivery) { notifications.OnEvent(delivery); });
      worker.Subscribe(notification::kMailQueue,
                       [this](const bus::Delivery& delivery) { notifications.OnMail(delivery); });
    }
    // Resignation letters are read by the agent, seconds of OCR each.
    topology.Declare({.name = agent::kLettersQueue,
                      .topics = {agent::kLetterReceivedTopic},
                      .max_attempts = agent::kLetterAttempts,
                      .lease = agent::kLetterLease});
    if (runs("agent")) {
      worker.Subscribe(agent::kLettersQueue,
                       [this](const bus::Delivery& delivery) { letters.OnReceived(delivery); });
    }
    ops::RegisterRoutes(router, ops);
    if (api) ops::RegisterQueueRoutes(router, queue_admin, blocking);
    const auto wanted = [&](std::string_view service) { return api && runs(service); };
    if (wanted("auth")) auth::RegisterRoutes(router, auth, blocking);
    if (wanted("auth")) auth::RegisterAdminRoutes(router, admin, blocking);
    if (wanted("users")) users::RegisterRoutes(router, users, blocking);
    if (wanted("management")) management::RegisterRoutes(router, management, blocking);
    if (wanted("calendar")) calendar::RegisterRoutes(router, calendar, blocking);
    if (wanted("calendar")) calendar::RegisterViewRoutes(router, calendar_views, calendar_feeds, blocking);
    if (wanted("analytics")) analytics::RegisterRoutes(router, timesheets, blocking);
    if (wanted("analytics")) analytics::RegisterReportRoutes(router, reports, blocking);
    if (wanted("notification")) notification::RegisterRoutes(router, notifications, blocking);
    if (wanted("agent")) agent::RegisterRoutes(router, letters, blocking);
  }

  // The consumers use what is declared after the worker: they stop first.
  ~Runtime() { worker.Stop(); }

  Clock clock = SystemClock();
  metrics::Registry registry;
  db::Database database;
  http::BlockingPool blocking;
  ops::OpsDependencies ops;
  // The same topology in every process: each service declares its queues
  // and their topics here, whether or not this process consumes them.
  bus::Topology topology;
  bus::Worker worker;
  // Redis when TABEL_REDIS_URL is set, else this process's memory: hot
  // reads, and the generations that tell every process of a change.
  std::unique_ptr<cache::Cache> cache;
  auth::AccountRepository accounts;
  auth::RefreshTokenStore refresh_tokens;
  auth::LoginThrottle throttle;
  auth::TokenService tokens;
  auth::PasswordHasher hasher;
  auth::IdentityCache identities;
  auth::AuthService auth;
  auth::AdminRepository admin_repository;
  audit::AuditLog audit_log;
  auth::AccessResolver access;
  auth::AdminService admin;
  users::UsersRepository users_repository;
  users::UsersService users;
  // The shipped years and TABEL_PRODUCTION_CALENDAR_DIR's, each checked
  // against its published totals: a bad one stops the process here
  // (calendar::CalendarDataError).
  // hr's edits are laid over them from the database: loaded at start, then
  // kept fresh by calendar_refresher (other replicas' edits) and by the
  // calendar service itself (this process's). Nobody reading the calendar
  // ever waits for the database.
  calendar::ProductionCalendar production_calendar;
  calendar::CalendarRepository calendar_repository;
  calendar::CalendarService calendar;
  calendar::CalendarRefresher calendar_refresher;
  management::RequestsRepository requests_repository;
  management::ManagementService management;
  calendar::CalendarViewsRepository calendar_views_repository;
  calendar::CalendarViews calendar_views;
  calendar::CalendarFeeds calendar_feeds;
  analytics::TimesheetRepository timesheet_repository;
  analytics::TimesheetService timesheets;
  analytics::ReportRepository report_repository;
  analytics::ReportService reports;
  notification::NotificationRepository notification_repository;
  notification::Templates templates;
  std::unique_ptr<notification::Mailer> mailer;
  notification::NotificationService notifications;
  agent::LetterRepository letter_repository;
  // The resignation-letter agent.
  agent::AgentService letters;
  // The queues of the worker's transport, for operators.
  std::unique_ptr<ops::QueueTransport> queue_transport;
  ops::QueueAdmin queue_admin;
  // On RabbitMQ, the broker's depths for /metrics, sampled in the background.
  std::unique_ptr<ops::QueueGauges> queue_gauges;
  http::Router router;
};

int App::Routes(std::ostream& out, const std::vector<std::string>& services) {
  const Runtime runtime(config_, logger_, 0, /*api=*/true, services);
  for (const http::Route& route : runtime.router.routes()) {
    out << beast::http::to_string(route.method) << " " << route.path_template << "\n";
  }
  return 0;
}

int App::Serve(const ServeOptions& options) {
  return Run(options, /*api=*/true, static_cast<size_t>(config_.worker_threads));
}

int App::Worker(const std::vector<std::string>& services) {
  return Run({.services = services}, /*api=*/false, static_cast<size_t>(std::max(1, config_.worker_threads)));
}

int App::Run(const ServeOptions& options, bool api, size_t consumer_threads) {
  KeepLargeBlocksOutOfTheArenas();
  Runtime runtime(config_, logger_, consumer_threads, api, options.services);
  ApplyMigrations(runtime.database, logger_);
  auth::EnsureDefaultRoles(runtime.database);
  management::EnsureRequestTypes(runtime.database, runtime.clock);
  runtime.calendar.Refresh();
  if (Runs(options.services, "notification")) runtime.notifications.ScheduleDaily();
  WarnOfAMemoryCacheApart(config_, options.services, api, logger_);
  if (options.demo) {
    const users::DemoCompany company = users::EnsureDemoCompany(runtime.database, runtime.clock);
    // Demo people have used little of their leave: 28 days and a little more.
    management::OpenBalances(runtime.database, runtime.clock,
                             [](int64_t id) { return (28 + id % 5) * management::kCentidaysPerDay; });
    const int created = EnsureDemoAccounts(runtime.accounts, runtime.hasher, config_.demo_password,
                                           company.employee_of_login, std::cerr);
    logger_.Info("demo_ready", {{"company_created", company.created}, {"accounts_created", created}});
  }
  if (config_.jwt_secret.empty() && config_.jwt_private_key.empty()) {
    logger_.Warn("jwt_secret_random",
                 {{"detail",
                   "TABEL_JWT_SECRET is not set: tokens are signed with a random key of this process "
                   "and stop working at restart or on another replica"}});
  }

  asio::io_context io(config_.io_threads);
  http::ServerOptions server_options;
  server_options.host = config_.http_host;
  server_options.port = config_.http_port;
  server_options.max_body_bytes = config_.max_body_bytes;
  server_options.read_timeout = config_.read_timeout;
  server_options.idle_timeout = config_.idle_timeout;
  server_options.max_concurrent_requests = config_.max_concurrent_requests;
  server_options.max_connections = config_.max_connections;
  server_options.io_threads = config_.io_threads;
  server_options.trusted_proxies = http::TrustedProxies::Parse(config_.trusted_proxies);
  RaiseFileLimit(config_.max_connections, logger_);
  http::HttpServer server(io, server_options, runtime.router, logger_, runtime.registry);
  server.SetAuthenticator(auth::MakeAuthenticator(runtime.auth, runtime.blocking));
  server.Listen();

  std::string services;
  for (const std::string& service : options.services.empty() ? KnownServices() : options.services) {
    services += (services.empty() ? "" : ",") + service;
  }
  if (consumer_threads > 0 || api) runtime.worker.Start();
  runtime.calendar_refresher.Start();
  if (runtime.queue_gauges) runtime.queue_gauges->Start();
  logger_.Info("listening", {{"host", config_.http_host},
                             {"port", server.port()},
                             {"mode", api ? "serve" : "worker"},
                             {"services", services},
                             {"consumer_threads", consumer_threads}});
  server.Start();

  // SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to the
  // shutdown timeout), then stop the io threads; the workers finish their
  // current task.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer drain(io);
  const auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void(const boost::system::error_code&)> poll = [&](const boost::system::error_code&) {
    if (server.Drained() || std::chrono::steady_clock::now() >= *deadline) {
      if (!server.Drained()) logger_.Warn("shutdown_timeout", {});
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait(poll);
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    logger_.Info("shutdown_started", {{"signal", signal}});
    *deadline = std::chrono::steady_clock::now() + config_.shutdown_timeout;
    server.BeginShutdown();
    poll({});
  });

  RunIo(io, config_.io_threads);
  if (runtime.queue_gauges) runtime.queue_gauges->Stop();
  runtime.calendar_refresher.Stop();
  runtime.worker.Stop();
  runtime.blocking.Stop();
  logger_.Info("stopped", {});
  return 0;
}

int App::DeadLetters(std::ostream& out, const std::optional<std::string>& queue, size_t limit) {
  db::Database database(DatabaseOptionsFrom(config_));
  bus::TaskQueue tasks(database, SystemClock());
  for (const bus::TaskInfo& task : tasks.ListDead(queue, limit)) {
    out << nlohmann::json{{"id", task.id},
                          {"message_id", task.message_id},
                          {"queue", task.queue},
                          {"topic", task.topic},
                          {"attempts", task.attempts},
                          {"last_error", task.last_error},
                          {"updated_at", db::FormatTimestamp(task.updated_at)}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  return 0;
}

int App::Seed(int employees, uint64_t seed) {
  db::Database database(DatabaseOptionsFrom(config_));
  ApplyMigrations(database, logger_);
  auth::EnsureDefaultRoles(database);
  const auto started = std::chrono::steady_clock::now();
  const users::SeedResult result =
      users::SeedCompany(database,
                         {.employees = employees,
                          .seed = seed,
                          .password_hash = auth::PasswordHasher().Hash(config_.demo_password)},
                         SystemClock());
  management::EnsureRequestTypes(database, SystemClock());
  // Balances brought from the previous system: 0 to 40 days, by id and seed.
  const int balances = management::OpenBalances(database, SystemClock(), [seed](int64_t id) {
    return static_cast<int64_t>((static_cast<uint64_t>(id) * 2654435761U + seed) % 4001U);
  });
  // Statistics for the tables just filled, as after any bulk load: until
  // autovacuum gets to them PostgreSQL plans the first statements as if
  // they were empty (a department's approver through a scan of every
  // department).
  if (database.dialect() == db::Dialect::kPostgresql) {
    db::WithSession(database, [](soci::session& session) { session << "ANALYZE"; });
  }
  logger_.Info(
      "seeded",
      {{"employees", result.employees},
       {"departments", result.departments},
       {"max_depth", result.max_depth},
       {"accounts", result.accounts},
       {"leave_balances", balances},
       {"seed", static_cast<int64_t>(seed)},
       {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}});
  return 0;
}

int App::Replay(const std::string& task_id) {
  db::Database database(DatabaseOptionsFrom(config_));
  bus::TaskQueue(database, SystemClock()).Replay(task_id);
  logger_.Info("task_replayed", {{"task_id", task_id}});
  return 0;
}

}  // namespace tabel::app
