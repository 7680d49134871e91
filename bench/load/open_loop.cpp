// Open-loop HTTP load generator: sends requests at a fixed rate whatever the
// server's answers do, and measures each request's latency from the time it
// was scheduled to be sent, not from when it was sent (so a slow answer that
// delays the next request on the same connection is charged to that next
// request too: no coordinated omission).
//
//   agentsudo_open_loop --url http://127.0.0.1:PORT --path /v1/check
//       --body '{"agent_name": ...}' --header 'X-API-Key: as_...'
//       --rate 10000 --duration 10 --warmup 2 --connections 64   (one line)
//
// Each of the N keep-alive connections owns a fixed schedule: connection i
// sends at t0 + i/rate + k*N/rate. With one request in flight per connection
// (HTTP/1.1 without pipelining), a late answer makes the next sends on that
// connection late; they then go out at once and keep their scheduled time.
//
// Prints a human summary on stderr and one line on stdout:
//   OPEN_LOOP_RESULT {"label":..., "p50_us":..., "p99_us":..., ...}
// Exits 1 when any request failed (socket error, timeout, a status other than
// 2xx, or an answer without --expect-substring), 2 on bad usage.
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Nanos = std::chrono::nanoseconds;

struct Options {
  std::string url;
  std::string path = "/";
  std::string method = "POST";
  std::string body;
  std::vector<std::string> headers;
  std::string expect_substring;
  std::string label;
  double rate = 10000;
  double duration_s = 10;
  double warmup_s = 2;
  double timeout_s = 5;
  int connections = 64;
  int threads = 1;
};

// What one connection saw; connections never share one, so recording needs
// no lock, and the main thread merges them after every worker has joined.
struct ConnectionStats {
  std::vector<std::int64_t> latency_ns;   // measured window only
  std::vector<std::int64_t> send_lag_ns;  // actual send minus scheduled send
  std::int64_t ok_total = 0;              // 2xx, warm-up included (events stored)
  std::int64_t ok_measured = 0;
  std::int64_t non_2xx = 0;
  std::int64_t mismatched = 0;
  std::int64_t socket_errors = 0;
  std::int64_t reconnects = 0;
  Clock::time_point last_answer{};  // of a measured request
  std::string first_error;
};

struct Plan {
  std::string host;
  std::string port;
  tcp::resolver::results_type endpoints;
  http::request<http::string_body> request;
  Clock::time_point t0;             // first scheduled send
  Clock::time_point measure_start;  // end of the warm-up
  Clock::time_point end;            // no send is scheduled at or after this
  Nanos interval{};                 // between sends on one connection
  Nanos offset{};                   // between the first sends of two connections
  Nanos timeout{};
  std::string expect_substring;
};

bool parse_url(const std::string& url, std::string& host, std::string& port) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return false;
  std::string rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    host = rest;
    port = "80";
  } else {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  return !host.empty() && !port.empty();
}

void note_error(ConnectionStats& stats, const std::string& what) {
  if (stats.first_error.empty())
    stats.first_error = what;
}

asio::awaitable<void> run_connection(const Plan& plan, int index, beast::tcp_stream stream,
                                     ConnectionStats& stats) {
  auto use = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  beast::flat_buffer buffer;
  bool connected = true;
  for (Clock::time_point scheduled = plan.t0 + plan.offset * index; scheduled < plan.end;
       scheduled += plan.interval) {
    if (Clock::now() < scheduled) {
      timer.expires_at(scheduled);
      co_await timer.async_wait(use);
    }
    if (!connected) {
      // A lost connection is replaced at once; the request stays on its
      // schedule, so the reconnection's cost shows in its latency.
      beast::error_code ignored;
      stream.socket().close(ignored);
      stream.expires_after(plan.timeout);
      auto [ec, endpoint] = co_await stream.async_connect(plan.endpoints, use);
      if (ec) {
        ++stats.socket_errors;
        note_error(stats, "connect: " + ec.message());
        continue;
      }
      ++stats.reconnects;
      connected = true;
    }
    const Clock::time_point sent = Clock::now();
    stream.expires_after(plan.timeout);
    auto [write_ec, written] = co_await http::async_write(stream, plan.request, use);
    http::response<http::string_body> response;
    beast::error_code read_ec = write_ec;
    if (!write_ec) {
      auto [ec, read] = co_await http::async_read(stream, buffer, response, use);
      read_ec = ec;
    }
    const Clock::time_point done = Clock::now();
    if (read_ec) {
      ++stats.socket_errors;
      note_error(stats, (write_ec ? "write: " : "read: ") + read_ec.message());
      buffer.clear();
      connected = false;
      continue;
    }
    const bool measured = scheduled >= plan.measure_start;
    const unsigned status = response.result_int();
    if (status < 200 || status > 299) {
      ++stats.non_2xx;
      note_error(stats, "status " + std::to_string(status) + ": " + response.body().substr(0, 300));
    } else if (!plan.expect_substring.empty() &&
               response.body().find(plan.expect_substring) == std::string::npos) {
      ++stats.mismatched;
      note_error(stats, "answer without the expected text: " + response.body().substr(0, 300));
    } else {
      ++stats.ok_total;
      if (measured) {
        ++stats.ok_measured;
        stats.last_answer = done;
        stats.latency_ns.push_back(std::chrono::duration_cast<Nanos>(done - scheduled).count());
        stats.send_lag_ns.push_back(std::chrono::duration_cast<Nanos>(sent - scheduled).count());
      }
    }
    if (response.need_eof())
      connected = false;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

// Nearest-rank percentile of sorted samples, in microseconds.
double percentile_us(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]) / 1000.0;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int run(const Options& options) {
  Plan plan;
  if (!parse_url(options.url, plan.host, plan.port)) {
    std::cerr << "open_loop: --url must look like http://HOST:PORT\n";
    return 2;
  }
  http::verb verb = http::string_to_verb(options.method);
  if (verb == http::verb::unknown) {
    std::cerr << "open_loop: unknown method " << options.method << "\n";
    return 2;
  }
  plan.request = http::request<http::string_body>(verb, options.path, 11);
  plan.request.set(http::field::host, plan.host + ":" + plan.port);
  plan.request.set(http::field::user_agent, "agentsudo-open-loop");
  for (const auto& header : options.headers) {
    auto colon = header.find(':');
    if (colon == std::string::npos) {
      std::cerr << "open_loop: --header must be 'Name: value', not " << header << "\n";
      return 2;
    }
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    plan.request.set(header.substr(0, colon), value);
  }
  if (!options.body.empty() && plan.request[http::field::content_type].empty())
    plan.request.set(http::field::content_type, "application/json");
  plan.request.body() = options.body;
  plan.request.keep_alive(true);
  plan.request.prepare_payload();
  plan.expect_substring = options.expect_substring;

  const int threads = std::max(1, options.threads);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < threads; ++i)
    contexts.push_back(std::make_unique<asio::io_context>(1));

  // Every connection is open before the clock starts, so connecting is not
  // part of any request's latency.
  tcp::resolver resolver(*contexts.front());
  beast::error_code ec;
  plan.endpoints = resolver.resolve(plan.host, plan.port, ec);
  if (ec) {
    std::cerr << "open_loop: cannot resolve " << plan.host << ":" << plan.port << ": "
              << ec.message() << "\n";
    return 1;
  }
  std::vector<beast::tcp_stream> streams;
  streams.reserve(static_cast<std::size_t>(options.connections));
  for (int i = 0; i < options.connections; ++i) {
    streams.emplace_back(*contexts[static_cast<std::size_t>(i % threads)]);
    streams.back().connect(plan.endpoints, ec);
    if (ec) {
      std::cerr << "open_loop: connection " << i << " failed: " << ec.message() << "\n";
      return 1;
    }
    streams.back().socket().set_option(tcp::no_delay(true));
  }

  const double per_connection_rate = options.rate / options.connections;
  plan.interval = Nanos(static_cast<std::int64_t>(1e9 / per_connection_rate));
  plan.offset = Nanos(static_cast<std::int64_t>(1e9 / options.rate));
  plan.timeout = Nanos(static_cast<std::int64_t>(options.timeout_s * 1e9));
  plan.t0 = Clock::now() + std::chrono::milliseconds(50);
  plan.measure_start = plan.t0 + Nanos(static_cast<std::int64_t>(options.warmup_s * 1e9));
  plan.end = plan.measure_start + Nanos(static_cast<std::int64_t>(options.duration_s * 1e9));

  std::vector<ConnectionStats> stats(static_cast<std::size_t>(options.connections));
  const auto expected = static_cast<std::size_t>(options.duration_s * per_connection_rate) + 2;
  for (int i = 0; i < options.connections; ++i) {
    auto& s = stats[static_cast<std::size_t>(i)];
    s.latency_ns.reserve(expected);
    s.send_lag_ns.reserve(expected);
    asio::co_spawn(*contexts[static_cast<std::size_t>(i % threads)],
                   run_connection(plan, i, std::move(streams[static_cast<std::size_t>(i)]), s),
                   asio::detached);
  }
  const double cpu0 = cpu_seconds();
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([&contexts, i] { contexts[static_cast<std::size_t>(i)]->run(); });
  contexts.front()->run();
  for (auto& worker : workers)
    worker.join();
  const Clock::time_point finished = Clock::now();
  const double cpu = cpu_seconds() - cpu0;

  ConnectionStats all;
  for (auto& s : stats) {
    all.latency_ns.insert(all.latency_ns.end(), s.latency_ns.begin(), s.latency_ns.end());
    all.send_lag_ns.insert(all.send_lag_ns.end(), s.send_lag_ns.begin(), s.send_lag_ns.end());
    all.ok_total += s.ok_total;
    all.ok_measured += s.ok_measured;
    all.non_2xx += s.non_2xx;
    all.mismatched += s.mismatched;
    all.socket_errors += s.socket_errors;
    all.reconnects += s.reconnects;
    all.last_answer = std::max(all.last_answer, s.last_answer);
    if (all.first_error.empty())
      all.first_error = s.first_error;
  }
  std::sort(all.latency_ns.begin(), all.latency_ns.end());
  std::sort(all.send_lag_ns.begin(), all.send_lag_ns.end());
  const double mean_us = all.latency_ns.empty()
                             ? 0
                             : static_cast<double>(std::accumulate(
                                   all.latency_ns.begin(), all.latency_ns.end(), std::int64_t{0})) /
                                   static_cast<double>(all.latency_ns.size()) / 1000.0;
  // Answers over the time they took to arrive, which outlasts the schedule
  // when the target falls behind: then this is below the scheduled rate.
  const double answer_s =
      std::max(options.duration_s,
               std::chrono::duration<double>(all.last_answer - plan.measure_start).count());
  const double achieved = static_cast<double>(all.ok_measured) / answer_s;
  const double run_s = std::chrono::duration<double>(finished - plan.t0).count();
  const bool valid = all.non_2xx == 0 && all.mismatched == 0 && all.socket_errors == 0;

  char line[2048];
  std::snprintf(line, sizeof line,
                "{\"label\":%s,\"path\":%s,\"target_rps\":%.1f,\"achieved_rps\":%.1f,"
                "\"connections\":%d,\"threads\":%d,\"duration_s\":%.3f,\"warmup_s\":%.3f,"
                "\"requests\":%zu,\"ok_2xx\":%lld,\"ok_2xx_total\":%lld,\"non_2xx\":%lld,"
                "\"mismatched\":%lld,\"socket_errors\":%lld,\"reconnects\":%lld,"
                "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
                "\"mean_us\":%.1f,\"send_lag_p50_us\":%.1f,\"send_lag_p99_us\":%.1f,"
                "\"send_lag_max_us\":%.1f,\"client_cpu_pct\":%.1f,\"valid\":%s}",
                json_string(options.label).c_str(), json_string(options.path).c_str(), options.rate,
                achieved, options.connections, threads, options.duration_s, options.warmup_s,
                all.latency_ns.size(), static_cast<long long>(all.ok_measured),
                static_cast<long long>(all.ok_total), static_cast<long long>(all.non_2xx),
                static_cast<long long>(all.mismatched), static_cast<long long>(all.socket_errors),
                static_cast<long long>(all.reconnects), percentile_us(all.latency_ns, 50),
                percentile_us(all.latency_ns, 90), percentile_us(all.latency_ns, 99),
                percentile_us(all.latency_ns, 99.9), percentile_us(all.latency_ns, 100), mean_us,
                percentile_us(all.send_lag_ns, 50), percentile_us(all.send_lag_ns, 99),
                percentile_us(all.send_lag_ns, 100), run_s > 0 ? 100.0 * cpu / run_s : 0.0,
                valid ? "true" : "false");
  std::cout << "OPEN_LOOP_RESULT " << line << std::endl;

  std::fprintf(stderr,
               "open_loop %s: %.0f/s scheduled on %d connections, %.0f/s answered 2xx; "
               "p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (from scheduled send); "
               "send lag p99 %.3f ms; client CPU %.0f%% of a core\n",
               options.label.c_str(), options.rate, options.connections, achieved,
               percentile_us(all.latency_ns, 50) / 1000, percentile_us(all.latency_ns, 99) / 1000,
               percentile_us(all.latency_ns, 99.9) / 1000,
               percentile_us(all.latency_ns, 100) / 1000, percentile_us(all.send_lag_ns, 99) / 1000,
               run_s > 0 ? 100.0 * cpu / run_s : 0.0);
  if (!valid) {
    std::fprintf(stderr,
                 "\n!!!!!!!! OPEN LOOP INVALID: %s %s: %lld non-2xx, %lld unexpected answers, "
                 "%lld socket errors; first: %s !!!!!!!!\n\n",
                 options.label.c_str(), options.path.c_str(), static_cast<long long>(all.non_2xx),
                 static_cast<long long>(all.mismatched), static_cast<long long>(all.socket_errors),
                 all.first_error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Open-loop HTTP load at a fixed rate, latency from each scheduled send"};
  app.add_option("--url", options.url, "http://HOST:PORT")->required();
  app.add_option("--path", options.path, "request target");
  app.add_option("--method", options.method, "HTTP method");
  app.add_option("--body", options.body, "request body (Content-Type defaults to JSON)");
  app.add_option("--header", options.headers, "'Name: value', repeatable");
  app.add_option("--expect-substring", options.expect_substring,
                 "a 2xx answer must contain this text, or it counts as an error");
  app.add_option("--label", options.label, "free text copied into the result line");
  app.add_option("--rate", options.rate, "requests per second, all connections together")
      ->check(CLI::PositiveNumber);
  app.add_option("--duration", options.duration_s, "measured seconds")->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup_s, "seconds sent at the same rate, not measured")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", options.timeout_s, "seconds before a request counts as failed")
      ->check(CLI::PositiveNumber);
  app.add_option("--connections", options.connections, "keep-alive connections")
      ->check(CLI::Range(1, 10000));
  app.add_option("--threads", options.threads, "client threads, one event loop each")
      ->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);
  return run(options);
}
