#pragma once
// Reading the JSON state documents of execution (OrderManager, SimulatedBroker, PositionTracker
// from_json): one member at a time, every failure an input error that names the component and the
// key path ("orders[1].quantity"), so that a hand-edited or truncated state file says what to fix.
// Also the JSON form of an OrderRequest, which the order manager and the simulated broker both keep.
//
// Key paths: `where` is the path of the object being read ("" at the top level, "orders[1]"), and a
// member's path is where + "." + key, or just key at the top level.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "execution/order.h"

namespace itrade::execution {

// Reads members of a state document and words its errors as one component does. The readers
// return std::nullopt and set `out` on success; on failure they return the error and leave `out`
// alone, so that calls chain: `if ((error = reader.read_string(...)) || (error = ...)) return *error;`.
class StateReader {
 public:
  // How a component has always worded its errors; state files and tests know them, so each keeps its own.
  enum class Wording {
    key_colon,   // "<prefix>: orders[1].quantity: expected a number" (order manager, simulated broker)
    quoted_key,  // "<prefix>: key 'tickers[1].quantity' must be a number" (position tracker)
  };

  // `prefix` names the document, e.g. "order manager state"; it starts every message.
  explicit StateReader(std::string prefix, Wording wording = Wording::key_colon);

  // where + "." + key, or key when `where` is empty (the top level).
  static std::string path(std::string_view where, std::string_view key);

  // "<prefix>: <message>".
  core::Error error(std::string_view message) const;
  // The key at `path` has `problem`: "<prefix>: <path>: <problem>" (key_colon) or
  // "<prefix>: key '<path>' <problem>" (quoted_key).
  core::Error error(std::string_view path, std::string_view problem) const;

  // The member `key` of `object`, or "missing".
  core::Result<const nlohmann::json*> member(const nlohmann::json& object, std::string_view where,
                                             std::string_view key) const;
  // The member `key` of `object` if it is a JSON object / array.
  core::Result<const nlohmann::json*> read_object(const nlohmann::json& object, std::string_view where,
                                                  std::string_view key) const;
  core::Result<const nlohmann::json*> read_array(const nlohmann::json& object, std::string_view where,
                                                 std::string_view key) const;

  std::optional<core::Error> read_string(const nlohmann::json& object, std::string_view where, std::string_view key,
                                         std::string& out) const;
  std::optional<core::Error> read_bool(const nlohmann::json& object, std::string_view where, std::string_view key,
                                       bool& out) const;
  // A finite number (NaN and infinities cannot be written back as JSON).
  std::optional<core::Error> read_number(const nlohmann::json& object, std::string_view where, std::string_view key,
                                         double& out) const;
  // A finite number or null (std::nullopt); the key must be present.
  std::optional<core::Error> read_optional_number(const nlohmann::json& object, std::string_view where,
                                                  std::string_view key, std::optional<double>& out) const;
  // An integer in the range of int64 (UTC ns, a duration in ns).
  std::optional<core::Error> read_int64(const nlohmann::json& object, std::string_view where, std::string_view key,
                                        std::int64_t& out) const;
  // A count or an index: an integer >= 0 that fits std::size_t.
  std::optional<core::Error> read_count(const nlohmann::json& object, std::string_view where, std::string_view key,
                                        std::size_t& out) const;

  // The same checks for a value already in hand (an array element, a nullable member); `path` is its key path.
  std::optional<core::Error> as_int64(const nlohmann::json& value, std::string_view path, std::int64_t& out) const;
  std::optional<core::Error> as_count(const nlohmann::json& value, std::string_view path, std::size_t& out) const;

 private:
  // The problems the readers report; each wording has its text for every one.
  enum class Problem {
    missing,
    not_string,
    not_bool,
    not_number,
    not_finite,
    not_integer,
    not_count,
    out_of_range,
    not_object,
    not_array,
  };
  core::Error error(std::string_view path, Problem problem) const;
  core::Result<const nlohmann::json*> member_of_type(const nlohmann::json& object, std::string_view where,
                                                     std::string_view key, nlohmann::json::value_t type,
                                                     Problem problem) const;

  std::string prefix_;
  Wording wording_;
};

// The member "side" of `object`: "buy" or "sell".
std::optional<core::Error> read_side(const StateReader& reader, const nlohmann::json& object, std::string_view where,
                                     OrderSide& out);

// The eight fields of a request as members of one object (client_order_id, ticker, side, quantity,
// type, limit_price, reference_price, ts); a component adds its own fields beside them.
nlohmann::json request_to_json(const OrderRequest& request);

// Reads those fields of `object` (at key path `where`): present, of their JSON type, numbers finite,
// side and type known names. Whether the values make a valid order (ids non-empty, quantity > 0, ...)
// is for the caller to check, in its own words.
core::Result<OrderRequest> request_from_json(const nlohmann::json& object, const StateReader& reader,
                                             std::string_view where);

}  // namespace itrade::execution
