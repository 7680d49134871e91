#pragma once

// The whole public API of libagentsudo; see docs/SDK.md.
#include "agentsudo/agent.hpp"
#include "agentsudo/approval.hpp"
#include "agentsudo/errors.hpp"
#include "agentsudo/event_log.hpp"
#include "agentsudo/guard.hpp"
#include "agentsudo/guardrails.hpp"
#include "agentsudo/policy.hpp"
#include "agentsudo/session.hpp"
#include "agentsudo/telemetry.hpp"
