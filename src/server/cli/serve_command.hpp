#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace agentsudo::server::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::filesystem::path data_dir = "./data";
  // A PostgreSQL URL; empty: SQLite in data_dir (see StoreLocation).
  std::string database_url;
  unsigned io_threads = 0;  // 0: one per core
  // The built dashboard (index.html, assets/). Empty: api::default_web_dir().
  std::filesystem::path web_dir;
  // Mark the session cookie Secure: set this when clients reach the server over HTTPS.
  bool secure_cookies = false;
  // Once listening, write {"url", "pid", "setup_url"?, "default_api_key"?,
  // "metrics_url"?} here (mode 0600, atomically), so that scripts and tests
  // need not parse the console. Empty: none.
  std::filesystem::path ready_file;
  // How people reach the server (scheme, host, port, path prefix), for the
  // dashboard links in webhook notifications. Empty: http://<listen address>.
  std::string public_url;
  // Address ranges (CIDR) of the reverse proxies whose X-Forwarded-For names
  // the client. Empty: the TCP peer is the client.
  std::vector<std::string> trusted_proxies;
  // Connections served at once; more are closed at once. 0: what the
  // descriptor limit leaves (default_max_connections).
  std::size_t max_connections = 0;
  // From its first byte, a request must arrive whole within this many seconds (else 408).
  unsigned request_timeout_seconds = 30;
  // A connection waits this many seconds for the first byte of its next request.
  unsigned idle_timeout_seconds = 60;
  // "HOST:PORT" of a second listener for /metrics and /healthz; when set, the
  // public listener answers /metrics 404. Empty: /metrics on the public one.
  std::string metrics_listen;
  // At most this often the commit writer signs an audit checkpoint of each
  // project whose chain grew (docs/AUDIT.md); also once on shutdown.
  unsigned checkpoint_interval_seconds = 5;
  // Seconds between retention passes (the first runs at start).
  unsigned retention_interval_seconds = 600;
};

// Runs the server until SIGINT or SIGTERM, then drains and exits.
// Returns the process exit code.
int run_serve(const ServeOptions& options);

}  // namespace agentsudo::server::cli
