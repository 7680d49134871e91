#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include "server/model/clock.hpp"
#include "server/service/approval_service.hpp"

namespace agentsudo::server {

// Marks pending approval requests expired once their time is up, each with
// its approval_expired event (through the service, so the listener hears
// them). Sleeps until the earliest pending expiry, but never longer than
// kMaxSleep: a request created meanwhile with a shorter TTL is then late by
// at most that, without the service telling the sweeper about new requests.
// Readers never wait for it (a request past its expiry already reads
// expired). Thread-safe.
class ExpirySweeper {
 public:
  static constexpr auto kMaxSleep = std::chrono::seconds(1);

  ExpirySweeper(boost::asio::io_context& io, ApprovalService& approvals, const Clock& clock);
  ~ExpirySweeper();
  ExpirySweeper(const ExpirySweeper&) = delete;
  ExpirySweeper& operator=(const ExpirySweeper&) = delete;

  // Starts sweeping on the io_context.
  void start();
  // Stops after the sweep in progress, if any; the io_context may still be running.
  void stop();

  struct State;  // what the sweeping coroutine shares; defined in the .cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace agentsudo::server
