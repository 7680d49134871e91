#include "server/auth/password_hasher.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/auth/password.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace asio = boost::asio;

namespace {

// Runs `work` on the pool, then completes on the awaiting coroutine's own
// executor with the result.
template <class Work>
auto on_pool(asio::thread_pool& pool, Work work) {
  using Value = decltype(work());
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Value)>(
      [&pool](auto handler, Work task) {
        auto resume_on = asio::get_associated_executor(handler);
        asio::post(pool, [handler = std::move(handler), task = std::move(task),
                          guard = asio::make_work_guard(resume_on)]() mutable {
          Value value = task();
          auto resume = guard.get_executor();
          asio::post(resume, [handler = std::move(handler), value = std::move(value)]() mutable {
            std::move(handler)(std::move(value));
          });
        });
      },
      asio::use_awaitable, std::move(work));
}

}  // namespace

PasswordHasher::PasswordHasher(std::size_t threads) : pool_(threads) {
  auto decoy = hash_password(issue_secret("decoy_").plaintext);
  decoy_hash_ = decoy ? std::move(*decoy) : std::string();
}

PasswordHasher::~PasswordHasher() {
  pool_.join();
}

// These are plain functions returning the awaitable, not coroutines: GCC 12
// mishandles lambdas with init-captures inside coroutine bodies.
asio::awaitable<Result<std::string>> PasswordHasher::hash(std::string password) {
  return on_pool(pool_, [password = std::move(password)] { return hash_password(password); });
}

asio::awaitable<bool> PasswordHasher::verify(std::string hash, std::string password) {
  return on_pool(pool_, [hash = std::move(hash), password = std::move(password)] {
    return verify_password(hash, password);
  });
}

asio::awaitable<bool> PasswordHasher::verify_nothing(std::string password) {
  return verify(decoy_hash_, std::move(password));
}

}  // namespace agentsudo::server
