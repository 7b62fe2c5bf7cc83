// The shared reader of execution's JSON state documents: every error names the component and the
// full key path in the component's own wording, and an OrderRequest survives a round trip through
// JSON text bit for bit.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "execution/state_json.h"

namespace itrade::execution {
namespace {

using nlohmann::json;

const StateReader kColon("order manager state");
const StateReader kQuoted("position tracker state", StateReader::Wording::quoted_key);

// The message of a reader's error; "" (and a test failure) when it succeeded.
std::string message_of(const std::optional<core::Error>& error) {
  EXPECT_TRUE(error.has_value());
  if (!error) return {};
  EXPECT_EQ(error->kind, core::ErrorKind::input);
  return error->message;
}

template <typename T>
std::string message_of(const core::Result<T>& result) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) return {};
  EXPECT_EQ(result.error().kind, core::ErrorKind::input);
  return result.error().message;
}

TEST(StateReaderTest, KeyPathJoinsWithADotBelowTheTopLevel) {
  EXPECT_EQ(StateReader::path("", "format"), "format");
  EXPECT_EQ(StateReader::path("orders[1]", "quantity"), "orders[1].quantity");
  EXPECT_EQ(StateReader::path("config.cost", "commission"), "config.cost.commission");
}

TEST(StateReaderTest, ErrorsStartWithThePrefix) {
  EXPECT_EQ(kColon.error("expected a JSON object").message, "order manager state: expected a JSON object");
  EXPECT_EQ(kColon.error("orders[0].ts", "too early").message, "order manager state: orders[0].ts: too early");
  EXPECT_EQ(kQuoted.error("cash", "must be >= 0").message, "position tracker state: key 'cash' must be >= 0");
  EXPECT_EQ(kColon.error("x", "y").kind, core::ErrorKind::input);
}

TEST(StateReaderTest, EachProblemNamesTheFullKeyPath) {
  const json entry = {{"id", 7},
                      {"flag", "yes"},
                      {"quantity", "10"},
                      {"price", std::nan("")},
                      {"ts", 1.5},
                      {"huge", std::numeric_limits<std::uint64_t>::max()},
                      {"negative", -3},
                      {"fraction", 2.5},
                      {"list", json::object()},
                      {"nested", json::array()}};
  const std::string where = "orders[2]";
  std::string text;
  bool flag = false;
  double number = 0.0;
  std::int64_t integer = 0;
  std::size_t count = 0;

  EXPECT_EQ(message_of(kColon.read_string(entry, where, "absent", text)),
            "order manager state: orders[2].absent: missing");
  EXPECT_EQ(message_of(kColon.read_string(entry, where, "id", text)),
            "order manager state: orders[2].id: expected a string");
  EXPECT_EQ(message_of(kColon.read_bool(entry, where, "flag", flag)),
            "order manager state: orders[2].flag: expected true or false");
  EXPECT_EQ(message_of(kColon.read_number(entry, where, "quantity", number)),
            "order manager state: orders[2].quantity: expected a number");
  EXPECT_EQ(message_of(kColon.read_number(entry, where, "price", number)),
            "order manager state: orders[2].price: expected a finite number");
  EXPECT_EQ(message_of(kColon.read_int64(entry, where, "ts", integer)),
            "order manager state: orders[2].ts: expected an integer");
  EXPECT_EQ(message_of(kColon.read_int64(entry, where, "huge", integer)),
            "order manager state: orders[2].huge: out of range");
  EXPECT_EQ(message_of(kColon.read_count(entry, where, "negative", count)),
            "order manager state: orders[2].negative: expected an integer >= 0");
  EXPECT_EQ(message_of(kColon.read_count(entry, where, "fraction", count)),
            "order manager state: orders[2].fraction: expected an integer >= 0");
  EXPECT_EQ(message_of(kColon.read_array(entry, where, "list")),
            "order manager state: orders[2].list: expected an array");
  EXPECT_EQ(message_of(kColon.read_object(entry, where, "nested")),
            "order manager state: orders[2].nested: expected an object");
  EXPECT_EQ(message_of(kColon.member(entry, where, "absent")), "order manager state: orders[2].absent: missing");
  // At the top level the path is the key alone.
  EXPECT_EQ(message_of(kColon.read_string(entry, "", "absent", text)), "order manager state: absent: missing");
}

TEST(StateReaderTest, QuotedKeyWording) {
  const json entry = {{"quantity", "many"}, {"mark", std::numeric_limits<double>::infinity()}, {"list", 3}};
  double number = 0.0;
  std::optional<double> mark;
  EXPECT_EQ(message_of(kQuoted.read_number(entry, "tickers[1]", "absent", number)),
            "position tracker state: missing key 'tickers[1].absent'");
  EXPECT_EQ(message_of(kQuoted.read_number(entry, "tickers[1]", "quantity", number)),
            "position tracker state: key 'tickers[1].quantity' must be a number");
  EXPECT_EQ(message_of(kQuoted.read_optional_number(entry, "tickers[1]", "mark", mark)),
            "position tracker state: key 'tickers[1].mark' must be finite");
  EXPECT_EQ(message_of(kQuoted.read_array(entry, "", "list")), "position tracker state: key 'list' must be an array");
  std::int64_t ts = 0;
  EXPECT_EQ(message_of(kQuoted.as_int64(json(std::numeric_limits<std::uint64_t>::max()), "last_ts", ts)),
            "position tracker state: key 'last_ts' is out of range");
}

TEST(StateReaderTest, ReadsValuesAndLeavesTheTargetAloneOnFailure) {
  const json entry = {
      {"name", "AAA"}, {"flag", true},    {"price", 101.25}, {"ts", -5},
      {"count", 12},   {"mark", nullptr}, {"bad", "x"},      {"max", std::numeric_limits<std::int64_t>::max()}};
  std::string text;
  bool flag = false;
  double number = 0.0;
  std::int64_t integer = 0;
  std::size_t count = 0;
  std::optional<double> mark = 3.0;
  EXPECT_FALSE(kColon.read_string(entry, "", "name", text));
  EXPECT_FALSE(kColon.read_bool(entry, "", "flag", flag));
  EXPECT_FALSE(kColon.read_number(entry, "", "price", number));
  EXPECT_FALSE(kColon.read_int64(entry, "", "ts", integer));
  EXPECT_FALSE(kColon.read_count(entry, "", "count", count));
  EXPECT_FALSE(kColon.read_optional_number(entry, "", "mark", mark));
  EXPECT_EQ(text, "AAA");
  EXPECT_TRUE(flag);
  EXPECT_EQ(number, 101.25);
  EXPECT_EQ(integer, -5);
  EXPECT_EQ(count, 12u);
  EXPECT_FALSE(mark.has_value());
  EXPECT_FALSE(kColon.read_int64(entry, "", "max", integer));
  EXPECT_EQ(integer, std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(kColon.read_optional_number(entry, "", "price", mark));
  EXPECT_EQ(mark, 101.25);

  EXPECT_TRUE(kColon.read_number(entry, "", "bad", number));
  EXPECT_TRUE(kColon.read_optional_number(entry, "", "bad", mark));
  EXPECT_TRUE(kColon.read_count(entry, "", "ts", count));
  EXPECT_EQ(number, 101.25);
  EXPECT_EQ(mark, 101.25);
  EXPECT_EQ(count, 12u);
  // Null is not a number where a number is required, and a nullable key must still be present.
  EXPECT_EQ(message_of(kColon.read_number(entry, "", "mark", number)), "order manager state: mark: expected a number");
  EXPECT_EQ(message_of(kColon.read_optional_number(entry, "", "absent", mark)), "order manager state: absent: missing");
}

TEST(StateReaderTest, ElementsInHandAreNamedByTheirPath) {
  std::size_t index = 0;
  std::int64_t ts = 0;
  EXPECT_FALSE(kColon.as_count(json(4), "working[3]", index));
  EXPECT_EQ(index, 4u);
  EXPECT_EQ(message_of(kColon.as_count(json(-1), "working[3]", index)),
            "order manager state: working[3]: expected an integer >= 0");
  EXPECT_EQ(message_of(kColon.as_count(json("4"), "working[3]", index)),
            "order manager state: working[3]: expected an integer >= 0");
  EXPECT_EQ(message_of(kColon.as_int64(json(nullptr), "book_ts", ts)),
            "order manager state: book_ts: expected an integer");
  EXPECT_EQ(index, 4u);
}

OrderRequest awkward_request(OrderType type) {
  return OrderRequest{.client_order_id = "o-17",
                      .ticker = "BRK.B",
                      .side = type == OrderType::limit ? OrderSide::sell : OrderSide::buy,
                      .quantity = 0.1 + 0.2,  // 0.30000000000000004
                      .type = type,
                      .limit_price = type == OrderType::limit ? std::nextafter(412.37, 1e9) : 0.0,
                      .reference_price = 1.0 / 3.0,
                      .ts = 1'723'469'400'123'456'789};
}

void expect_bit_exact(const OrderRequest& restored, const OrderRequest& original) {
  EXPECT_EQ(restored.client_order_id, original.client_order_id);
  EXPECT_EQ(restored.ticker, original.ticker);
  EXPECT_EQ(restored.side, original.side);
  EXPECT_EQ(restored.type, original.type);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(restored.quantity), std::bit_cast<std::uint64_t>(original.quantity));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(restored.limit_price), std::bit_cast<std::uint64_t>(original.limit_price));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(restored.reference_price),
            std::bit_cast<std::uint64_t>(original.reference_price));
  EXPECT_EQ(restored.ts, original.ts);
}

TEST(RequestJsonTest, RoundTripsThroughTextBitForBit) {
  for (const OrderType type : {OrderType::market, OrderType::limit}) {
    SCOPED_TRACE(order_type_name(type));
    const OrderRequest original = awkward_request(type);
    const json written = request_to_json(original);
    std::vector<std::string> keys;
    for (const auto& [key, value] : written.items()) keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"client_order_id", "limit_price", "quantity", "reference_price", "side",
                                              "ticker", "ts", "type"}));
    EXPECT_EQ(written.at("side").get<std::string>(), side_name(original.side));
    EXPECT_EQ(written.at("type").get<std::string>(), order_type_name(type));

    const core::Result<OrderRequest> restored = request_from_json(json::parse(written.dump()), kColon, "orders[0]");
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    expect_bit_exact(*restored, original);
  }
}

TEST(RequestJsonTest, AMarketOnCloseRequestRoundTripsBitForBit) {
  const OrderRequest original = awkward_request(OrderType::market_on_close);
  const json written = request_to_json(original);
  EXPECT_EQ(written.at("type").get<std::string>(), "market_on_close");
  EXPECT_EQ(written.at("limit_price").get<double>(), 0.0);  // none needed
  const core::Result<OrderRequest> restored = request_from_json(json::parse(written.dump()), kColon, "orders[0]");
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->type, OrderType::market_on_close);
  expect_bit_exact(*restored, original);
}

TEST(RequestJsonTest, ReadsBesideOtherFields) {
  // Components add their own fields to the same object; the reader takes only the request's.
  json entry = request_to_json(awkward_request(OrderType::limit));
  entry["status"] = "filled";
  entry["filled_quantity"] = 0.3;
  const core::Result<OrderRequest> restored = request_from_json(entry, kColon, "orders[4]");
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  expect_bit_exact(*restored, awkward_request(OrderType::limit));
}

TEST(RequestJsonTest, BadSideOrTypeIsAnErrorNamingTheKey) {
  const StateReader broker("simulated broker state");
  json entry = request_to_json(awkward_request(OrderType::market));
  entry["side"] = "hold";
  EXPECT_EQ(message_of(request_from_json(entry, broker, "orders[1]")),
            "simulated broker state: orders[1].side: expected \"buy\" or \"sell\", got \"hold\"");
  entry["side"] = "SELL";  // names are lower case
  EXPECT_EQ(message_of(request_from_json(entry, broker, "orders[1]")),
            "simulated broker state: orders[1].side: expected \"buy\" or \"sell\", got \"SELL\"");

  entry = request_to_json(awkward_request(OrderType::market));
  entry["type"] = "stop";
  EXPECT_EQ(message_of(request_from_json(entry, broker, "orders[1]")),
            "simulated broker state: orders[1].type: expected \"market\", \"limit\" or \"market_on_close\", got "
            "\"stop\"");

  entry = request_to_json(awkward_request(OrderType::market));
  entry["side"] = 1;
  EXPECT_EQ(message_of(request_from_json(entry, broker, "orders[1]")),
            "simulated broker state: orders[1].side: expected a string");

  OrderSide side = OrderSide::sell;
  EXPECT_EQ(message_of(read_side(broker, json{{"side", "short"}}, "queue[3]", side)),
            "simulated broker state: queue[3].side: expected \"buy\" or \"sell\", got \"short\"");
  EXPECT_EQ(side, OrderSide::sell);
  EXPECT_FALSE(read_side(broker, json{{"side", "buy"}}, "queue[3]", side));
  EXPECT_EQ(side, OrderSide::buy);
}

TEST(RequestJsonTest, EveryFieldIsRequiredAndNamed) {
  const json good = request_to_json(awkward_request(OrderType::limit));
  for (const auto& [key, value] : good.items()) {
    SCOPED_TRACE(key);
    json entry = good;
    entry.erase(key);
    EXPECT_EQ(message_of(request_from_json(entry, kColon, "orders[3]")),
              "order manager state: orders[3]." + key + ": missing");
  }
  json entry = good;
  entry["ts"] = 1.5;
  EXPECT_EQ(message_of(request_from_json(entry, kColon, "orders[3]")),
            "order manager state: orders[3].ts: expected an integer");
  entry = good;
  entry["quantity"] = "10";
  EXPECT_EQ(message_of(request_from_json(entry, kColon, "orders[3]")),
            "order manager state: orders[3].quantity: expected a number");
}

}  // namespace
}  // namespace itrade::execution
