#include "execution/state_json.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <utility>

namespace itrade::execution {

using nlohmann::json;

StateReader::StateReader(std::string prefix, Wording wording) : prefix_(std::move(prefix)), wording_(wording) {}

std::string StateReader::path(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

core::Error StateReader::error(std::string_view message) const { return core::input_error("{}: {}", prefix_, message); }

core::Error StateReader::error(std::string_view path, std::string_view problem) const {
  if (wording_ == Wording::quoted_key) return core::input_error("{}: key '{}' {}", prefix_, path, problem);
  return core::input_error("{}: {}: {}", prefix_, path, problem);
}

core::Error StateReader::error(std::string_view path, Problem problem) const {
  if (wording_ == Wording::quoted_key) {
    switch (problem) {
      case Problem::missing:
        return core::input_error("{}: missing key '{}'", prefix_, path);
      case Problem::not_string:
        return error(path, "must be a string");
      case Problem::not_bool:
        return error(path, "must be true or false");
      case Problem::not_number:
        return error(path, "must be a number");
      case Problem::not_finite:
        return error(path, "must be finite");
      case Problem::not_integer:
        return error(path, "must be an integer");
      case Problem::not_count:
        return error(path, "must be an integer >= 0");
      case Problem::out_of_range:
        return error(path, "is out of range");
      case Problem::not_object:
        return error(path, "must be an object");
      case Problem::not_array:
        return error(path, "must be an array");
    }
  }
  switch (problem) {
    case Problem::missing:
      return error(path, "missing");
    case Problem::not_string:
      return error(path, "expected a string");
    case Problem::not_bool:
      return error(path, "expected true or false");
    case Problem::not_number:
      return error(path, "expected a number");
    case Problem::not_finite:
      return error(path, "expected a finite number");
    case Problem::not_integer:
      return error(path, "expected an integer");
    case Problem::not_count:
      return error(path, "expected an integer >= 0");
    case Problem::out_of_range:
      return error(path, "out of range");
    case Problem::not_object:
      return error(path, "expected an object");
    case Problem::not_array:
      return error(path, "expected an array");
  }
  return error(path, "invalid");
}

core::Result<const json*> StateReader::member(const json& object, std::string_view where, std::string_view key) const {
  const auto it = object.find(key);
  if (it == object.end()) return error(path(where, key), Problem::missing);
  return &*it;
}

core::Result<const json*> StateReader::member_of_type(const json& object, std::string_view where, std::string_view key,
                                                      json::value_t type, Problem problem) const {
  auto value = member(object, where, key);
  if (!value) return value.error();
  if ((*value)->type() != type) return error(path(where, key), problem);
  return value;
}

core::Result<const json*> StateReader::read_object(const json& object, std::string_view where,
                                                   std::string_view key) const {
  return member_of_type(object, where, key, json::value_t::object, Problem::not_object);
}

core::Result<const json*> StateReader::read_array(const json& object, std::string_view where,
                                                  std::string_view key) const {
  return member_of_type(object, where, key, json::value_t::array, Problem::not_array);
}

std::optional<core::Error> StateReader::read_string(const json& object, std::string_view where, std::string_view key,
                                                    std::string& out) const {
  auto value = member_of_type(object, where, key, json::value_t::string, Problem::not_string);
  if (!value) return value.error();
  out = (*value)->get<std::string>();
  return std::nullopt;
}

std::optional<core::Error> StateReader::read_bool(const json& object, std::string_view where, std::string_view key,
                                                  bool& out) const {
  auto value = member_of_type(object, where, key, json::value_t::boolean, Problem::not_bool);
  if (!value) return value.error();
  out = (*value)->get<bool>();
  return std::nullopt;
}

std::optional<core::Error> StateReader::read_number(const json& object, std::string_view where, std::string_view key,
                                                    double& out) const {
  auto value = member(object, where, key);
  if (!value) return value.error();
  if (!(*value)->is_number()) return error(path(where, key), Problem::not_number);
  const double number = (*value)->get<double>();
  if (!std::isfinite(number)) return error(path(where, key), Problem::not_finite);
  out = number;
  return std::nullopt;
}

std::optional<core::Error> StateReader::read_optional_number(const json& object, std::string_view where,
                                                             std::string_view key, std::optional<double>& out) const {
  auto value = member(object, where, key);
  if (!value) return value.error();
  if ((*value)->is_null()) {
    out.reset();
    return std::nullopt;
  }
  double number = 0.0;
  if (auto problem = read_number(object, where, key, number)) return problem;
  out = number;
  return std::nullopt;
}

std::optional<core::Error> StateReader::read_int64(const json& object, std::string_view where, std::string_view key,
                                                   std::int64_t& out) const {
  auto value = member(object, where, key);
  if (!value) return value.error();
  return as_int64(**value, path(where, key), out);
}

std::optional<core::Error> StateReader::read_count(const json& object, std::string_view where, std::string_view key,
                                                   std::size_t& out) const {
  auto value = member(object, where, key);
  if (!value) return value.error();
  return as_count(**value, path(where, key), out);
}

std::optional<core::Error> StateReader::as_int64(const json& value, std::string_view path, std::int64_t& out) const {
  if (!value.is_number_integer()) return error(path, Problem::not_integer);
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return error(path, Problem::out_of_range);
  }
  out = value.get<std::int64_t>();
  return std::nullopt;
}

std::optional<core::Error> StateReader::as_count(const json& value, std::string_view path, std::size_t& out) const {
  if (!value.is_number_integer()) return error(path, Problem::not_count);
  if (!value.is_number_unsigned() && value.get<std::int64_t>() < 0) return error(path, Problem::not_count);
  const std::uint64_t count = value.get<std::uint64_t>();
  if (count > std::numeric_limits<std::size_t>::max()) return error(path, Problem::out_of_range);
  out = static_cast<std::size_t>(count);
  return std::nullopt;
}

std::optional<core::Error> read_side(const StateReader& reader, const json& object, std::string_view where,
                                     OrderSide& out) {
  std::string side;
  if (auto error = reader.read_string(object, where, "side", side)) return error;
  if (side == "buy") {
    out = OrderSide::buy;
  } else if (side == "sell") {
    out = OrderSide::sell;
  } else {
    return reader.error(StateReader::path(where, "side"),
                        fmt::format("expected \"buy\" or \"sell\", got \"{}\"", side));
  }
  return std::nullopt;
}

json request_to_json(const OrderRequest& request) {
  return json{{"client_order_id", request.client_order_id},
              {"ticker", request.ticker},
              {"side", side_name(request.side)},
              {"quantity", request.quantity},
              {"type", order_type_name(request.type)},
              {"limit_price", request.limit_price},
              {"reference_price", request.reference_price},
              {"ts", request.ts}};
}

core::Result<OrderRequest> request_from_json(const json& object, const StateReader& reader, std::string_view where) {
  OrderRequest request;
  std::string type;
  std::optional<core::Error> error;
  if ((error = reader.read_string(object, where, "client_order_id", request.client_order_id)) ||
      (error = reader.read_string(object, where, "ticker", request.ticker)) ||
      (error = read_side(reader, object, where, request.side)) ||
      (error = reader.read_number(object, where, "quantity", request.quantity)) ||
      (error = reader.read_string(object, where, "type", type)) ||
      (error = reader.read_number(object, where, "limit_price", request.limit_price)) ||
      (error = reader.read_number(object, where, "reference_price", request.reference_price)) ||
      (error = reader.read_int64(object, where, "ts", request.ts))) {
    return *error;
  }
  if (type == "market") {
    request.type = OrderType::market;
  } else if (type == "limit") {
    request.type = OrderType::limit;
  } else if (type == "market_on_close") {
    request.type = OrderType::market_on_close;
  } else {
    return reader.error(StateReader::path(where, "type"),
                        fmt::format("expected \"market\", \"limit\" or \"market_on_close\", got \"{}\"", type));
  }
  return request;
}

}  // namespace itrade::execution
