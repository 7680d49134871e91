#include "server/api/application.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <tuple>

#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;

namespace {

const std::string kUnmatchedRoute = "unmatched";
const std::string kDashboardRoute = "dashboard";

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace

Application::Application(const DashboardFiles& dashboard, Metrics& metrics)
    : dashboard_(&dashboard), metrics_(metrics) {}

Application::Application(Metrics& metrics) : dashboard_(nullptr), metrics_(metrics) {}

void Application::mount_all(Resources::Instances resources) {
  std::apply([this](auto&... handler) { (mount(handler), ...); }, resources);
}

void Application::add(RouteInfo info, Answer answer) {
  auto method = info.method;
  auto pattern = info.pattern;
  router_.add(method, std::move(pattern), Route{std::move(info), std::move(answer)});
}

std::size_t Application::body_limit(const http::RequestHeader& header) {
  auto match = router_.find(header.method(), path_of(header.target()));
  return match.route != nullptr ? match.route->info.body_limit : kSmallBody;
}

asio::awaitable<http::Reply> Application::handle(http::Request request,
                                                 http::RequestContext context) {
  auto started = std::chrono::steady_clock::now();
  std::string route_name = kUnmatchedRoute;
  http::Reply reply = co_await dispatch(request, context, route_name);
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  metrics_.record_request(route_name, reply.head.result_int(), elapsed.count());
  co_return reply;
}

asio::awaitable<http::Reply> Application::dispatch(const http::Request& request,
                                                   const http::RequestContext& context,
                                                   std::string& route_name) {
  auto match = router_.find(request.method(), path_of(request.target()));
  if (match.route == nullptr && !match.allowed_methods.empty()) {
    auto response = error_response(make_error(ErrorKind::kMethodNotAllowed,
                                              "this route answers " + match.allowed_methods +
                                                  ", not " + std::string(request.method_string())),
                                   request.version());
    response.set(http::Field::allow, match.allowed_methods);
    co_return response;
  }
  if (match.route == nullptr && dashboard_ != nullptr && DashboardFiles::claims(request)) {
    route_name = kDashboardRoute;
    co_return dashboard_->serve(request);
  }
  if (match.route == nullptr) {
    co_return error_response(make_error(ErrorKind::kNotFound,
                                        "no such route: " + std::string(path_of(request.target()))),
                             request.version());
  }
  route_name = match.route->info.pattern;
  co_return co_await answer(*match.route, request, match.params, context);
}

asio::awaitable<http::Reply> Application::answer(const Route& route, const http::Request& request,
                                                 const http::PathParams& params,
                                                 const http::RequestContext& context) {
  // A resource that throws has a bug; the client still gets an answer and
  // the log says where, instead of the exception ending a detached coroutine.
  std::string failure;
  try {
    co_return co_await route.answer(request, params, context);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  spdlog::error("{} {} threw: {}", std::string(request.method_string()), route.info.pattern,
                failure);
  co_return error_response(make_error(ErrorKind::kInternal, "the server failed to answer"),
                           request.version());
}

http::Response Application::reject(const http::RequestHeader& header, const Error& error) {
  auto response = error_response(error, header.version() == 0 ? 11 : header.version());
  metrics_.record_request(kUnmatchedRoute, response.result_int(), 0.0);
  return response;
}

}  // namespace agentsudo::server::api
