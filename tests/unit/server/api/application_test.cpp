// The Application around any resource: what reaches the client when a route's
// member fails by value or by exception, and what the log says then.

#include "server/api/application.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "run_to_completion.hpp"

namespace agentsudo::server::api {
namespace {

// A resource whose members fail in the two ways a handler can.
class FailingResource {
 public:
  static std::vector<ResourceRoute<FailingResource>> routes() {
    using http::Verb;
    return {
        route(Verb::get, "/throws/{id}", kSmallBody, Access::kPublic, &FailingResource::throws),
        route(Verb::get, "/refuses", kSmallBody, Access::kPublic, &FailingResource::refuses),
    };
  }

  Result<http::Response> throws(const http::Request&, std::string_view id) {
    throw std::runtime_error("resource " + std::string(id) + " broke");
  }

  Result<http::Response> refuses(const http::Request&) {
    return make_error(ErrorKind::kConflict, "already decided");
  }
};

class ApplicationTest : public ::testing::Test {
 protected:
  ApplicationTest() {
    application_.mount(resource_);
    logged_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", logged_));
  }
  ~ApplicationTest() override { spdlog::set_default_logger(previous_logger_); }

  http::Reply get(std::string target) {
    http::Request request{http::Verb::get, target, 11};
    return run_to_completion(application_.handle(std::move(request), http::RequestContext{}));
  }

  std::string log_text() {
    std::string text;
    for (const auto& line : logged_->last_formatted())
      text += line;
    return text;
  }

  FailingResource resource_;
  DashboardFiles dashboard_{std::nullopt};
  Metrics metrics_;
  Application application_{dashboard_, metrics_};
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> logged_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};

TEST_F(ApplicationTest, AMemberThatThrowsIsAnswered500AndLoggedWithItsRoute) {
  auto reply = get("/throws/7");
  EXPECT_EQ(reply.head.result_int(), 500u);
  auto body = boost::json::parse(reply.head.body()).as_object();
  EXPECT_EQ(body.at("code").as_string(), "INTERNAL_ERROR");
  // The route's pattern and the exception's text, never the raw target alone.
  EXPECT_NE(log_text().find("GET /throws/{id} threw: resource 7 broke"), std::string::npos)
      << log_text();
}

TEST_F(ApplicationTest, TheServerKeepsAnsweringAfterAMemberThrew) {
  EXPECT_EQ(get("/throws/1").head.result_int(), 500u);
  EXPECT_EQ(get("/refuses").head.result_int(), 409u);
}

TEST_F(ApplicationTest, AnErrorValueBecomesTheOneErrorBody) {
  auto reply = get("/refuses");
  EXPECT_EQ(reply.head.result_int(), 409u);
  auto body = boost::json::parse(reply.head.body()).as_object();
  EXPECT_EQ(body.at("error").as_string(), "already decided");
  EXPECT_EQ(log_text(), "");
}

}  // namespace
}  // namespace agentsudo::server::api
