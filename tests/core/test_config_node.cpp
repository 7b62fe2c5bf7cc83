#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/config_node.h"
#include "core/strings.h"

namespace itrade::core {
namespace {

const char* kYaml =
    "data:\n"                           // 1
    "  default_dir: data/sample\n"      // 2
    "  defaults:\n"                     // 3
    "    timezone: America/New_York\n"  // 4
    "    bar_lable: start\n"            // 5
    "    max_gap: 12\n"                 // 6
    "    ratio: 0.5\n"                  // 7
    "    flags: [a, b]\n"               // 8
    "    enabled: yes\n"                // 9
    "    empty:\n"                      // 10
    "interval: 5m\n";                   // 11

ConfigNode parse_ok(const std::string& text) {
  Result<ConfigNode> node = ConfigNode::parse(text, "test.yaml");
  EXPECT_TRUE(node.ok()) << (node.ok() ? "" : node.error().message);
  return *node;
}

TEST(Strings, EditDistanceAndNearest) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  const std::vector<std::string> known = {"timezone", "bar_label", "on_bad_row"};
  EXPECT_EQ(nearest_names("bar_lable", known), std::vector<std::string>{"bar_label"});
  EXPECT_EQ(nearest_names("TIMEZONE", known), std::vector<std::string>{"timezone"});
  EXPECT_TRUE(nearest_names("zzzzzzzz", known).empty());
  EXPECT_EQ(nearest_names("DOW30", {"DOW_30", "NAS_100", "SP_500", "SINGLE_TICKER"}).front(), "DOW_30");
}

TEST(Strings, SplitTrimUpper) {
  const std::vector<std::string_view> pieces = split("a, b,,c", ',');
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(trim(pieces[1]), "b");
  EXPECT_EQ(pieces[2], "");
  EXPECT_EQ(trim("  x \t"), "x");
  EXPECT_EQ(to_upper("brk.b"), "BRK.B");
  EXPECT_EQ(join({"a", "b"}), "a, b");
}

TEST(ConfigNode, ReadsTypedValues) {
  const ConfigNode root = parse_ok(kYaml);
  const ConfigNode defaults = root.child("data").child("defaults");
  EXPECT_EQ(defaults.path(), "data.defaults");
  EXPECT_EQ(defaults.line(), 3);
  EXPECT_EQ(defaults.required<std::string>("timezone"), "America/New_York");
  EXPECT_EQ(defaults.required<std::int64_t>("max_gap"), 12);
  EXPECT_DOUBLE_EQ(defaults.required<double>("ratio"), 0.5);
  EXPECT_DOUBLE_EQ(defaults.required<double>("max_gap"), 12.0);
  EXPECT_EQ(defaults.required<std::vector<std::string>>("flags"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(defaults.required<bool>("enabled"));
  EXPECT_EQ(defaults.optional<std::int64_t>("absent", 7), 7);
  EXPECT_EQ(defaults.optional<std::string>("absent", "x"), "x");
  EXPECT_EQ(root.required<std::string>("interval"), "5m");
  EXPECT_EQ(root.keys(), (std::vector<std::string>{"data", "interval"}));
  EXPECT_TRUE(defaults.is_list("flags"));
  EXPECT_FALSE(defaults.is_list("timezone"));
  EXPECT_FALSE(defaults.is_list("absent"));
  EXPECT_TRUE(root.ok());
  EXPECT_TRUE(root.status().ok());
}

TEST(ConfigNode, UnknownKeyNamesLineAndSuggestion) {
  const ConfigNode root = parse_ok(kYaml);
  const ConfigNode defaults = root.child("data").child("defaults");
  const Status status = defaults.only_keys({"timezone", "bar_label", "max_gap", "ratio", "flags", "enabled", "empty"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::input);
  EXPECT_EQ(
      status.error().message.rfind("test.yaml:5: data.defaults.bar_lable: unknown key; did you mean bar_label?", 0), 0u)
      << status.error().message;
  // Recorded in the shared slot, visible from the root.
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message, status.error().message);
}

TEST(ConfigNode, UnknownKeyWithoutNearNameListsKnownKeys) {
  const ConfigNode root = parse_ok("alpha: 1\nzzzzzzzzzz: 2\n");
  const Status status = root.only_keys({"alpha", "beta"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "test.yaml:2: zzzzzzzzzz: unknown key; remove it; known keys: alpha, beta");
}

TEST(ConfigNode, DuplicateKeyIsAnError) {
  const ConfigNode root = parse_ok("alpha: 1\nalpha: 2\n");
  const Status status = root.only_keys({"alpha"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message.rfind("test.yaml:2: alpha: duplicate key", 0), 0u) << status.error().message;
}

TEST(ConfigNode, WrongTypeNamesExpectedType) {
  {
    const ConfigNode root = parse_ok(kYaml);
    (void)root.child("data").child("defaults").required<double>("flags");
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.status().error().message,
              "test.yaml:8: data.defaults.flags: expected a number, got a list; write `flags: <number>`");
  }
  {
    const ConfigNode root = parse_ok("count: abc\n");
    EXPECT_EQ(root.required<std::int64_t>("count"), 0);
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.status().error().message,
              "test.yaml:1: count: expected an integer, got \"abc\"; write `count: <integer>`");
  }
  {
    const ConfigNode root = parse_ok("count: 1.5\n");
    (void)root.optional<std::int64_t>("count", 3);
    ASSERT_FALSE(root.ok());
    EXPECT_NE(root.status().error().message.find("expected an integer, got \"1.5\""), std::string::npos);
  }
  {
    const ConfigNode root = parse_ok("a:\n  b: 1\nflag: maybe\n");
    (void)root.required<std::string>("a");
    EXPECT_EQ(root.status().error().message.rfind("test.yaml:1: a: expected a string, got a mapping", 0), 0u);
  }
  {
    const ConfigNode root = parse_ok("flag: maybe\n");
    (void)root.required<bool>("flag");
    EXPECT_EQ(root.status().error().message.rfind("test.yaml:1: flag: expected a boolean", 0), 0u);
  }
  {
    const ConfigNode root = parse_ok("list: [a, [b]]\n");
    (void)root.required<std::vector<std::string>>("list");
    EXPECT_EQ(root.status().error().message.rfind("test.yaml:1: list: item 2 is a list, expected a string", 0), 0u);
  }
}

TEST(ConfigNode, EmptyValueIsAnErrorEvenWhenOptional) {
  const ConfigNode root = parse_ok(kYaml);
  (void)root.child("data").child("defaults").optional<std::string>("empty", "fallback");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message.rfind(
                "test.yaml:10: data.defaults.empty: expected a string, got an empty value;", 0),
            0u)
      << root.status().error().message;
}

TEST(ConfigNode, MissingRequiredKeyPointsAtParent) {
  const ConfigNode root = parse_ok(kYaml);
  (void)root.child("data").required<std::string>("cache_dir");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message,
            "test.yaml:1: data.cache_dir: missing required key; add `cache_dir: <text>` under `data`");
}

TEST(ConfigNode, MissingKeyUnderAbsentChildHasFullPath) {
  const ConfigNode root = parse_ok(kYaml);
  const ConfigNode universe = root.child("universe");
  EXPECT_FALSE(universe.present());
  EXPECT_TRUE(universe.only_keys({"default"}).ok());
  EXPECT_EQ(universe.optional<std::string>("default", "X"), "X");
  EXPECT_TRUE(root.ok());
  (void)universe.required<std::string>("default");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message.rfind("test.yaml:1: universe.default: missing required key;", 0), 0u);
}

TEST(ConfigNode, ChildThatIsNotAMapping) {
  const ConfigNode root = parse_ok("x: 1\ndata: 5\n");
  const ConfigNode data = root.child("data");
  EXPECT_FALSE(data.present());
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message.rfind("test.yaml:2: data: expected a mapping of keys, got \"5\"", 0), 0u);
}

TEST(ConfigNode, OutOfRange) {
  const ConfigNode root = parse_ok(kYaml);
  const ConfigNode defaults = root.child("data").child("defaults");
  EXPECT_EQ(defaults.required_in_range<std::int64_t>("max_gap", 0, 100), 12);
  EXPECT_DOUBLE_EQ(defaults.optional_in_range<double>("ratio", 0.1, 0.0, 1.0), 0.5);
  EXPECT_TRUE(root.ok());
  (void)defaults.optional_in_range<double>("ratio", 0.1, 0.6, 1.0);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message,
            "test.yaml:7: data.defaults.ratio: 0.5 is out of range [0.6, 1]; choose a value from 0.6 to 1");
}

TEST(ConfigNode, ChoiceSuggestsNearest) {
  const ConfigNode root = parse_ok("bar_label: strat\n");
  EXPECT_EQ(root.choice("bar_label", {"start", "end"}, "start"), "start");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().error().message,
            "test.yaml:1: bar_label: \"strat\" is not a valid value; did you mean start? use one of: start, end");
}

TEST(ConfigNode, FirstErrorWins) {
  const ConfigNode root = parse_ok("a: x\nb: y\n");
  (void)root.required<double>("a");
  (void)root.required<double>("b");
  EXPECT_EQ(root.status().error().message.rfind("test.yaml:1: a:", 0), 0u);
}

TEST(ConfigNode, FailUsesKeyLine) {
  const ConfigNode root = parse_ok(kYaml);
  const Error error = root.fail("interval", "bad", "fix it");
  EXPECT_EQ(error.message, "test.yaml:11: interval: bad; fix it");
  EXPECT_FALSE(root.ok());
}

TEST(ConfigNode, SyntaxErrorHasLineAndColumn) {
  Result<ConfigNode> node = ConfigNode::parse("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().kind, ErrorKind::input);
  EXPECT_EQ(node.error().message.rfind("bad.yaml:", 0), 0u);
  EXPECT_NE(node.error().message.find("YAML syntax error"), std::string::npos);
}

TEST(ConfigNode, SyntaxErrorInFileHasExactPosition) {
  const std::string file = std::string(ITRADE_TEST_DATA_DIR) + "/config/syntax_error.yaml";
  Result<ConfigNode> node = ConfigNode::load_file(file);
  ASSERT_FALSE(node.ok());
  // yaml-cpp reports where it gave up: line 4, column 9, after the unclosed flow mapping.
  EXPECT_EQ(node.error().message.rfind(file + ":4:9: YAML syntax error: end of map flow not found", 0), 0u)
      << node.error().message;
  EXPECT_NE(node.error().message.find("YAML syntax error"), std::string::npos);
}

TEST(ConfigNode, TopLevelMustBeAMapping) {
  Result<ConfigNode> node = ConfigNode::parse("- a\n- b\n", "list.yaml");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().message.rfind("list.yaml:1: the top level is a list", 0), 0u) << node.error().message;
  EXPECT_TRUE(ConfigNode::parse("", "empty.yaml").ok());
}

TEST(ConfigNode, MissingFile) {
  Result<ConfigNode> node = ConfigNode::load_file("/nonexistent/dir/system.yaml");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().kind, ErrorKind::input);
  EXPECT_EQ(node.error().message.rfind("/nonexistent/dir/system.yaml: cannot read config file:", 0), 0u)
      << node.error().message;
}

}  // namespace
}  // namespace itrade::core
