#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

namespace agentsudo::server::api {

namespace run_detail {

template <class T>
boost::asio::awaitable<void> keep(boost::asio::awaitable<T> task, std::optional<T>& answer) {
  answer.emplace(co_await std::move(task));
}

}  // namespace run_detail

// Runs a coroutine to its end on a private io_context and returns its value;
// an exception it throws is rethrown here. (Not through use_future: a Result
// has no default constructor.)
template <class T>
T run_to_completion(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> answer;
  boost::asio::co_spawn(io, run_detail::keep(std::move(task), answer),
                        [](std::exception_ptr failure) {
                          if (failure)
                            std::rethrow_exception(failure);
                        });
  io.run();
  return std::move(*answer);
}

}  // namespace agentsudo::server::api
