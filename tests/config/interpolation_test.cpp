// Tests src/config/interpolation.cpp.
#include "config/interpolation.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "config/key_path.h"

namespace orch::config {
namespace {

// --- tree builders

using Item = std::pair<std::string, Node>;

Node Map(std::initializer_list<Item> items, Origin origin = {}) {
  Node map = Node::MakeMap(std::move(origin));
  for (const auto& [key, value] : items) map.Set(key, value);
  return map;
}

Node List(std::initializer_list<Node> items, Origin origin = {}) {
  return Node::MakeList(Node::List(items), std::move(origin));
}

Node Str(std::string text, Origin origin = {}) { return Node::String(std::move(text), origin); }
Node Int(int64_t value, Origin origin = {}) { return Node::Int(value, origin); }
Node Float(double value) { return Node::Float(value); }
Node Bool(bool value) { return Node::Bool(value); }
Node Null() { return Node::Null(); }
Node Missing() { return Node::Missing(); }

Origin At(int line, int column = 3) { return Origin::File("cfg.yaml", line, column); }

// --- the injected environment and clock

// 2024-06-15 12:00:42 UTC: the same year, month and seconds in every time zone
constexpr std::time_t kNow = 1718452842;

InterpolationContext TestContext(int* env_calls = nullptr) {
  InterpolationContext context;
  context.get_env = [env_calls](const std::string& name) -> std::optional<std::string> {
    if (env_calls != nullptr) ++*env_calls;
    static const std::map<std::string, std::string> kEnv = {{"HOME", "/home/ada"},
                                                            {"USER", "ada"},
                                                            {"EMPTY", ""},
                                                            {"PORT", "8080"},
                                                            {"RAW", "${HOME}"}};
    auto it = kEnv.find(name);
    if (it == kEnv.end()) return std::nullopt;
    return it->second;
  };
  context.now = [] { return std::chrono::system_clock::from_time_t(kNow); };
  return context;
}

struct Result {
  Node tree;
  Diagnostics diagnostics;
};

Result Resolve(Node tree, const InterpolationContext& context = TestContext()) {
  Result result{std::move(tree), {}};
  ResolveInterpolations(result.tree, result.diagnostics, context);
  return result;
}

std::string Show(const Node& node) {
  return std::string(TypeName(node.type())) + " " + node.Describe(200);
}

// ------------------------------------------------------------------------------------------------
// values: each case resolves a tree and checks one node's value and type
// ------------------------------------------------------------------------------------------------

struct ValueCase {
  std::string name;
  Node tree;
  std::string key;  ///< dotted key of the node to check
  Node expected;
};

void PrintTo(const ValueCase& value_case, std::ostream* out) { *out << value_case.name; }

std::vector<ValueCase> ValueCases() {
  const Node trainer = Map({{"steps", Int(5000)},
                            {"lr", Float(0.0003)},
                            {"gamma", Float(1.0)},
                            {"eps", Float(1e-05)},
                            {"fast", Bool(true)},
                            {"slow", Bool(false)},
                            {"algo", Str("ppo")},
                            {"nothing", Null()}});
  auto with = [&](const char* key, const char* text) {
    return Map({{"trainer", trainer}, {key, Str(text)}});
  };
  return {
      // absolute references keep the referenced type
      {"absolute_int", with("x", "${trainer.steps}"), "x", Int(5000)},
      {"absolute_float", with("x", "${trainer.lr}"), "x", Float(0.0003)},
      {"absolute_bool", with("x", "${trainer.fast}"), "x", Bool(true)},
      {"absolute_null", with("x", "${trainer.nothing}"), "x", Null()},
      {"absolute_string", with("x", "${trainer.algo}"), "x", Str("ppo")},
      {"absolute_top_level", Map({{"a", Int(5)}, {"b", Str("${a}")}}), "b", Int(5)},
      {"spaces_inside_braces", Map({{"a", Int(5)}, {"b", Str("${ a }")}}), "b", Int(5)},
      {"reference_to_later_key", Map({{"b", Str("${a}")}, {"a", Int(6)}}), "b", Int(6)},
      // list indices, dotted and in brackets
      {"dotted_index", Map({{"l", List({Int(10), Int(20), Int(30)})}, {"x", Str("${l.1}")}}), "x",
       Int(20)},
      {"bracket_index", Map({{"l", List({Int(10), Int(20), Int(30)})}, {"x", Str("${l[2]}")}}), "x",
       Int(30)},
      {"bracket_index_twice",
       Map({{"m", Map({{"l", List({List({Int(1), Int(2)}), List({Int(3), Int(4)})})}})},
            {"x", Str("${m.l[1][0]}")}}),
       "x", Int(3)},
      {"bracket_then_dot",
       Map({{"l", List({Map({{"name", Str("first")}})})}, {"x", Str("${l[0].name}")}}), "x",
       Str("first")},
      {"bracket_map_key", Map({{"m", Map({{"k", Int(1)}})}, {"x", Str("${m[k]}")}}), "x", Int(1)},
      {"bracket_key_with_dot", Map({{"m", Map({{"a.b", Int(1)}})}, {"x", Str("${m[a.b]}")}}), "x",
       Int(1)},
      {"resolver_in_key", Map({{"m", Map({{"ada", Int(1)}})}, {"x", Str("${m.${oc.env:USER}}")}}),
       "x", Int(1)},
      // relative references
      {"relative_sibling", Map({{"a", Map({{"x", Int(1)}, {"y", Str("${.x}")}})}}), "a.y", Int(1)},
      {"relative_parent", Map({{"x", Int(2)}, {"a", Map({{"y", Str("${..x}")}})}}), "a.y", Int(2)},
      {"relative_grandparent",
       Map({{"x", Int(3)}, {"a", Map({{"b", Map({{"y", Str("${...x}")}})}})}}), "a.b.y", Int(3)},
      {"relative_deeper_path",
       Map({{"a", Map({{"b", Map({{"c", Int(4)}})}, {"y", Str("${.b.c}")}})}}), "a.y", Int(4)},
      {"relative_in_list", Map({{"l", List({Int(7), Str("${.0}")})}}), "l.1", Int(7)},
      {"relative_parent_from_list", Map({{"n", Int(8)}, {"l", List({Str("${..n}")})}}), "l.0",
       Int(8)},
      {"relative_cousin",
       Map({{"env", Map({{"id", Str("cheetah")}})}, {"run", Map({{"name", Str("${..env.id}")}})}}),
       "run.name", Str("cheetah")},
      // containers are copied, themselves resolved
      {"dict_copy",
       Map({{"m", Map({{"x", Int(1)}, {"y", List({Int(1), Int(2)})}})}, {"c", Str("${m}")}}), "c",
       Map({{"x", Int(1)}, {"y", List({Int(1), Int(2)})}})},
      {"list_copy", Map({{"l", List({Str("a"), Str("b")})}, {"c", Str("${l}")}}), "c",
       List({Str("a"), Str("b")})},
      {"copy_is_resolved",
       Map({{"m", Map({{"x", Int(1)}, {"y", Str("${.x}")}})}, {"c", Str("${m}")}}), "c",
       Map({{"x", Int(1)}, {"y", Int(1)}})},
      {"copy_before_its_inner_reference",
       Map({{"c", Str("${m}")}, {"m", Map({{"x", Str("${v}")}})}, {"v", Float(0.5)}}), "c",
       Map({{"x", Float(0.5)}})},
      // string interpolation renders scalars as YAML does
      {"concat_string", with("x", "run_${trainer.algo}"), "x", Str("run_ppo")},
      {"concat_int", with("x", "steps=${trainer.steps}"), "x", Str("steps=5000")},
      {"concat_float", with("x", "lr=${trainer.lr}"), "x", Str("lr=0.0003")},
      {"concat_whole_float", with("x", "g=${trainer.gamma}"), "x", Str("g=1.0")},
      {"concat_small_float", with("x", "eps=${trainer.eps}"), "x", Str("eps=1e-05")},
      {"concat_true", with("x", "fast=${trainer.fast}"), "x", Str("fast=true")},
      {"concat_false", with("x", "slow=${trainer.slow}"), "x", Str("slow=false")},
      {"concat_null", with("x", "n=${trainer.nothing}"), "x", Str("n=null")},
      {"concat_two", with("x", "${trainer.algo}_${trainer.steps}"), "x", Str("ppo_5000")},
      {"concat_space_makes_string", with("x", " ${trainer.steps}"), "x", Str(" 5000")},
      {"dollar_without_brace", with("x", "cost $5 for ${trainer.algo}$"), "x",
       Str("cost $5 for ppo$")},
      // chains and nested interpolations
      {"chain", Map({{"a", Str("${b}")}, {"b", Str("${c}")}, {"c", Int(7)}}), "a", Int(7)},
      {"chain_through_concat", Map({{"a", Str("${b}!")}, {"b", Str("x${c}")}, {"c", Int(7)}}), "a",
       Str("x7!")},
      {"through_interpolated_dict",
       Map({{"x", Str("${y.k}")}, {"y", Str("${z}")}, {"z", Map({{"k", Int(9)}})}}), "x", Int(9)},
      {"nested_key_segment",
       Map({{"which", Str("small")},
            {"models", Map({{"small", Int(1)}, {"big", Int(2)}})},
            {"m", Str("${models.${which}}")}}),
       "m", Int(1)},
      {"nested_whole_key", Map({{"k", Str("a")}, {"a", Int(3)}, {"x", Str("${${k}}")}}), "x",
       Int(3)},
      {"nested_index",
       Map({{"i", Int(1)}, {"l", List({Int(5), Int(6)})}, {"x", Str("${l[${i}]}")}}), "x", Int(6)},
      // escapes
      {"escaped_interpolation", Map({{"a", Int(5)}, {"x", Str("\\${a}")}}), "x", Str("${a}")},
      {"escaped_backslash", Map({{"a", Int(5)}, {"x", Str("\\\\${a}")}}), "x", Str("\\5")},
      {"escaped_backslash_then_escape", Map({{"a", Int(5)}, {"x", Str("\\\\\\${a}")}}), "x",
       Str("\\${a}")},
      {"other_backslashes_stay", Map({{"a", Int(5)}, {"x", Str("C:\\dir\\${a}\\f")}}), "x",
       Str("C:\\dir${a}\\f")},
      {"escape_and_reference", Map({{"a", Int(5)}, {"x", Str("\\${a} is ${a}")}}), "x",
       Str("${a} is 5")},
      {"escaped_result_is_not_resolved_again", Map({{"a", Str("\\${nope}")}, {"b", Str("${a}")}}),
       "b", Str("${nope}")},
      // oc.env
      {"env_set", Map({{"x", Str("${oc.env:HOME}")}}), "x", Str("/home/ada")},
      {"env_set_ignores_default", Map({{"x", Str("${oc.env:HOME,/tmp}")}}), "x", Str("/home/ada")},
      {"env_value_stays_string", Map({{"x", Str("${oc.env:PORT}")}}), "x", Str("8080")},
      {"env_empty_value", Map({{"x", Str("${oc.env:EMPTY,fallback}")}}), "x", Str("")},
      {"env_value_is_not_resolved", Map({{"x", Str("${oc.env:RAW}")}}), "x", Str("${HOME}")},
      {"env_default", Map({{"x", Str("${oc.env:NOPE,/tmp}")}}), "x", Str("/tmp")},
      {"env_null_default", Map({{"x", Str("${oc.env:NOPE,null}")}}), "x", Null()},
      {"env_int_default_is_string", Map({{"x", Str("${oc.env:NOPE,8080}")}}), "x", Str("8080")},
      {"env_empty_default", Map({{"x", Str("${oc.env:NOPE,}")}}), "x", Str("")},
      {"env_quoted_default", Map({{"x", Str("${oc.env:NOPE,'a,b'}")}}), "x", Str("a,b")},
      {"env_double_quoted_default", Map({{"x", Str("${oc.env:NOPE, \"x}y\" }")}}), "x", Str("x}y")},
      {"env_quoted_default_with_quote", Map({{"x", Str("${oc.env:NOPE,'it\\'s'}")}}), "x",
       Str("it's")},
      {"env_quoted_default_with_interpolation",
       Map({{"a", Int(5)}, {"x", Str("${oc.env:NOPE,'${a}/x'}")}}), "x", Str("5/x")},
      {"env_nested_default",
       Map({{"default_home", Str("/h")}, {"x", Str("${oc.env:NOPE,${default_home}}")}}), "x",
       Str("/h")},
      {"env_nested_name", Map({{"var", Str("USER")}, {"x", Str("${oc.env:${var}}")}}), "x",
       Str("ada")},
      {"env_spaces_trimmed", Map({{"x", Str("${oc.env: HOME , /tmp }")}}), "x", Str("/home/ada")},
      {"env_in_string", Map({{"x", Str("${oc.env:HOME}/data")}}), "x", Str("/home/ada/data")},
      // now
      {"now_year_month_seconds", Map({{"x", Str("${now:%Y-%m}/${now:%S}")}}), "x",
       Str("2024-06/42")},
      // oc.select, and how resolver arguments are typed
      {"select_present", Map({{"a", Int(5)}, {"x", Str("${oc.select:a,1}")}}), "x", Int(5)},
      {"select_absent_default", Map({{"x", Str("${oc.select:a,1}")}}), "x", Int(1)},
      {"select_absent_without_default", Map({{"x", Str("${oc.select:a}")}}), "x", Null()},
      {"select_missing_value", Map({{"a", Missing()}, {"x", Str("${oc.select:a,fallback}")}}), "x",
       Str("fallback")},
      {"select_under_missing_value",
       Map({{"a", Missing()}, {"x", Str("${oc.select:a.b,fallback}")}}), "x", Str("fallback")},
      {"select_relative", Map({{"a", Map({{"x", Int(1)}, {"y", Str("${oc.select:.x,0}")}})}}),
       "a.y", Int(1)},
      {"select_container", Map({{"a", List({Int(1)})}, {"x", Str("${oc.select:a}")}}), "x",
       List({Int(1)})},
      {"select_interpolated_default", Map({{"a", Int(5)}, {"x", Str("${oc.select:b,${a}}")}}), "x",
       Int(5)},
      {"select_in_string", Map({{"x", Str("n=${oc.select:b,4}")}}), "x", Str("n=4")},
      {"arg_negative_int", Map({{"x", Str("${oc.select:z,-3}")}}), "x", Int(-3)},
      {"arg_int_underscores", Map({{"x", Str("${oc.select:z,1_000}")}}), "x", Int(1000)},
      {"arg_float", Map({{"x", Str("${oc.select:z,1.5}")}}), "x", Float(1.5)},
      {"arg_float_exponent", Map({{"x", Str("${oc.select:z,1e3}")}}), "x", Float(1000.0)},
      {"arg_float_trailing_point", Map({{"x", Str("${oc.select:z,2.}")}}), "x", Float(2.0)},
      {"arg_bool_any_case", Map({{"x", Str("${oc.select:z,TRUE}")}}), "x", Bool(true)},
      {"arg_null_any_case", Map({{"x", Str("${oc.select:z,Null}")}}), "x", Null()},
      {"arg_float_infinity", Map({{"x", Str("${oc.select:z,-inf}")}}), "x",
       Float(-std::numeric_limits<double>::infinity())},
      {"arg_leading_zero_is_string", Map({{"x", Str("${oc.select:z,007}")}}), "x", Str("007")},
      {"arg_quoted_number_is_string", Map({{"x", Str("${oc.select:z,'10'}")}}), "x", Str("10")},
      {"arg_inner_spaces_kept", Map({{"x", Str("${oc.select:z, a b }")}}), "x", Str("a b")},
      {"arg_text_with_interpolation_is_string",
       Map({{"a", Int(5)}, {"x", Str("${oc.select:z,${a}0}")}}), "x", Str("50")},
  };
}

class InterpolationValueTest : public testing::TestWithParam<ValueCase> {};

TEST_P(InterpolationValueTest, Resolves) {
  const ValueCase& value_case = GetParam();
  Result result = Resolve(value_case.tree);
  EXPECT_TRUE(result.diagnostics.Empty()) << result.diagnostics.Format();
  const Node* node = FindPath(result.tree, value_case.key);
  ASSERT_NE(node, nullptr);
  EXPECT_TRUE(node->Equals(value_case.expected))
      << "got " << Show(*node) << ", expected " << Show(value_case.expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, InterpolationValueTest, testing::ValuesIn(ValueCases()),
                         [](const testing::TestParamInfo<ValueCase>& info) {
                           return info.param.name;
                         });

// ------------------------------------------------------------------------------------------------
// errors: each case has one bad node; checks its key, message and suggestion
// ------------------------------------------------------------------------------------------------

struct ErrorCase {
  std::string name;
  Node tree;
  std::string key;         ///< display key of the node holding the interpolation
  std::string message;     ///< the whole message
  std::string suggestion;  ///< a part of the suggestion; empty: none expected
};

void PrintTo(const ErrorCase& error_case, std::ostream* out) { *out << error_case.name; }

std::vector<ErrorCase> ErrorCases() {
  const Node trainer = Map({{"steps", Int(5000)}, {"lr", Float(0.1)}});
  return {
      // keys that do not exist
      {"missing_key_did_you_mean", Map({{"trainer", trainer}, {"e", Str("${trainer.stepz}")}}), "e",
       "interpolation '${trainer.stepz}' refers to a key that does not exist: 'trainer.stepz'",
       "Did you mean 'trainer.steps'?"},
      {"missing_top_level_key", Map({{"seed", Int(1)}, {"out", Str("${sead}")}}), "out",
       "interpolation '${sead}' refers to a key that does not exist: 'sead'",
       "Did you mean 'seed'?"},
      {"missing_key_without_close_match", Map({{"trainer", trainer}, {"e", Str("${zzzzzz}")}}), "e",
       "interpolation '${zzzzzz}' refers to a key that does not exist: 'zzzzzz'", ""},
      {"missing_middle_segment", Map({{"trainer", trainer}, {"e", Str("${trainer.opt.y}")}}), "e",
       "interpolation '${trainer.opt.y}' refers to a key that does not exist: 'trainer.opt'", ""},
      {"missing_in_string", Map({{"trainer", trainer}, {"e", Str("run_${trainer.stepz}")}}), "e",
       "interpolation '${trainer.stepz}' refers to a key that does not exist: 'trainer.stepz'",
       "Did you mean 'trainer.steps'?"},
      {"index_out_of_range", Map({{"l", List({Int(1), Int(2), Int(3)})}, {"e", Str("${l[5]}")}}),
       "e", "interpolation '${l[5]}' refers to a key that does not exist: 'l[5]'",
       "'l' is a list of 3 items (indices 0 to 2)"},
      {"name_on_a_list", Map({{"l", List({Int(1)})}, {"e", Str("${l.x}")}}), "e",
       "interpolation '${l.x}' refers to a key that does not exist: 'l.x'",
       "'l' is a list of 1 item"},
      {"key_under_a_scalar", Map({{"a", Int(5)}, {"e", Str("${a.b}")}}), "e",
       "interpolation '${a.b}' refers to a key that does not exist: 'a.b'",
       "'a' is an int, not a dict or list"},
      {"relative_missing_sibling", Map({{"a", Map({{"width", Int(1)}, {"y", Str("${.widht}")}})}}),
       "a.y", "interpolation '${.widht}' refers to a key that does not exist: 'a.widht'",
       "Did you mean 'a.width'?"},
      {"relative_above_root", Map({{"a", Str("${..x}")}}), "a",
       "interpolation '${..x}' climbs above the root of the config",
       "From 'a' at most 1 leading dot can be used"},
      {"relative_above_root_from_list", Map({{"l", List({Str("${...x}")})}}), "l[0]",
       "interpolation '${...x}' climbs above the root of the config", "at most 2 leading dots"},
      // mandatory values
      {"missing_mandatory", Map({{"env", Map({{"name", Missing()}})}, {"x", Str("${env.name}")}}),
       "x", "interpolation '${env.name}' refers to a missing mandatory value 'env.name'",
       "Set 'env.name'"},
      {"missing_mandatory_parent", Map({{"env", Missing()}, {"x", Str("${env.name}")}}), "x",
       "interpolation '${env.name}' refers to a missing mandatory value 'env'", "Set 'env'"},
      // cycles
      {"cycle_self", Map({{"a", Str("${a}")}}), "a", "interpolation cycle: a -> a", "Break"},
      {"cycle_two", Map({{"a", Str("${b}")}, {"b", Str("${a}")}}), "a",
       "interpolation cycle: a -> b -> a", ""},
      {"cycle_three", Map({{"a", Str("${b}")}, {"b", Str("x${c}")}, {"c", Str("${a}")}}), "a",
       "interpolation cycle: a -> b -> c -> a", ""},
      {"cycle_nested_keys",
       Map({{"m", Map({{"a", Str("${n.b}")}})}, {"n", Map({{"b", Str("${m.a}")}})}}), "m.a",
       "interpolation cycle: m.a -> n.b -> m.a", ""},
      {"cycle_through_container", Map({{"a", Map({{"x", Str("${a}")}})}}), "a.x",
       "interpolation cycle: a.x -> a -> a.x", ""},
      {"cycle_relative_parent", Map({{"a", Map({{"x", Str("${.}")}})}}), "a.x",
       "interpolation cycle: a.x -> a -> a.x", ""},
      // containers inside strings
      {"list_in_string", Map({{"l", List({Int(1)})}, {"e", Str("x${l}")}}), "e",
       "interpolation '${l}' is a list and cannot be part of a string", "Use '${l}' as the whole"},
      {"dict_in_string", Map({{"m", Map({{"k", Int(1)}})}, {"e", Str("${m}/x")}}), "e",
       "interpolation '${m}' is a dict and cannot be part of a string", ""},
      // resolvers
      {"unknown_resolver", Map({{"e", Str("${oc.envv:HOME}")}}), "e",
       "interpolation '${oc.envv:HOME}' uses an unknown resolver 'oc.envv'",
       "Did you mean 'oc.env'? Known resolvers: 'now', 'oc.env', 'oc.select'"},
      {"unknown_resolver_far", Map({{"e", Str("${python.eval:1+1}")}}), "e",
       "interpolation '${python.eval:1+1}' uses an unknown resolver 'python.eval'",
       "Known resolvers: 'now', 'oc.env', 'oc.select'"},
      {"env_unset", Map({{"e", Str("${oc.env:NOPE}")}}), "e",
       "environment variable 'NOPE' is not set, needed by '${oc.env:NOPE}'",
       "Set it, or give a default: '${oc.env:NOPE,<default>}'"},
      {"env_too_many_arguments", Map({{"e", Str("${oc.env:A,b,c}")}}), "e",
       "interpolation '${oc.env:A,b,c}' passes 3 arguments to 'oc.env'", "${oc.env:VAR,default}"},
      {"env_without_name", Map({{"e", Str("${oc.env:}")}}), "e",
       "interpolation '${oc.env:}' passes 0 arguments to 'oc.env'", ""},
      {"env_dict_default", Map({{"m", Map({})}, {"e", Str("${oc.env:NOPE,${m}}")}}), "e",
       "interpolation '${oc.env:NOPE,${m}}': the default of 'oc.env' must be a string, got dict",
       ""},
      {"now_without_format", Map({{"e", Str("${now:}")}}), "e",
       "interpolation '${now:}' passes 0 arguments to 'now'", "${now:FORMAT}"},
      {"nested_failure_quotes_inner",
       Map({{"m", Map({{"a", Int(1)}})}, {"e", Str("${m.${wich}}")}}), "e",
       "interpolation '${wich}' refers to a key that does not exist: 'wich'", ""},
      // malformed syntax
      {"unclosed", Map({{"e", Str("${a.b")}}), "e",
       "malformed interpolation '${a.b': missing closing '}'", ""},
      {"unclosed_nested", Map({{"e", Str("${a.${b}")}}), "e",
       "malformed interpolation '${a.${b}': missing closing '}'", ""},
      {"unclosed_resolver", Map({{"e", Str("x ${oc.env:HOME")}}), "e",
       "malformed interpolation 'x ${oc.env:HOME': missing closing '}'", ""},
      {"empty_reference", Map({{"e", Str("${}")}}), "e", "malformed interpolation '${}': empty key",
       ""},
      {"double_dot", Map({{"e", Str("${a..b}")}}), "e",
       "malformed interpolation '${a..b}': empty key segment", ""},
      {"trailing_dot", Map({{"e", Str("${a.}")}}), "e",
       "malformed interpolation '${a.}': key ends with '.'", ""},
      {"unclosed_bracket", Map({{"e", Str("${l[0}")}}), "e",
       "malformed interpolation '${l[0}': missing ']'", ""},
      {"space_in_key", Map({{"e", Str("${a b}")}}), "e",
       "malformed interpolation '${a b}': unexpected space in key", ""},
      {"unterminated_quote", Map({{"e", Str("${oc.env:X,'abc}")}}), "e",
       "malformed interpolation '${oc.env:X,'abc}': unterminated quoted string", ""},
      {"malformed_key_after_substitution",
       Map({{"k", Str("")}, {"a", Int(1)}, {"e", Str("${a.${k}}")}}), "e",
       "malformed interpolation '${a.${k}}': key ends with '.' (the key is 'a.')", ""},
  };
}

class InterpolationErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(InterpolationErrorTest, Reports) {
  const ErrorCase& error_case = GetParam();
  Result result = Resolve(error_case.tree);
  ASSERT_EQ(result.diagnostics.ErrorCount(), 1u) << result.diagnostics.Format();
  const Diagnostic& diagnostic = result.diagnostics.Items()[0];
  EXPECT_EQ(diagnostic.key, error_case.key);
  EXPECT_EQ(diagnostic.kind, "interpolation");
  EXPECT_EQ(diagnostic.message, error_case.message);
  if (error_case.suggestion.empty()) {
    EXPECT_EQ(diagnostic.suggestion.find("Did you mean"), std::string::npos)
        << diagnostic.suggestion;
  } else {
    EXPECT_NE(diagnostic.suggestion.find(error_case.suggestion), std::string::npos)
        << diagnostic.suggestion;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, InterpolationErrorTest, testing::ValuesIn(ErrorCases()),
                         [](const testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

// ------------------------------------------------------------------------------------------------
// origins, collection of errors, memoisation, context
// ------------------------------------------------------------------------------------------------

TEST(InterpolationTest, ResolvedNodeKeepsTheOriginOfTheInterpolation) {
  Node tree = Map({{"a", Int(5, At(1))},
                   {"b", Str("${a}", At(2, 4))},
                   {"c", Str("a=${a}", At(3, 4))},
                   {"m", Map({{"x", Int(1, At(5, 6))}}, At(5))},
                   {"d", Str("${m}", At(6, 4))}});
  Result result = Resolve(std::move(tree));
  ASSERT_TRUE(result.diagnostics.Empty()) << result.diagnostics.Format();
  EXPECT_EQ(result.tree.Find("b")->origin().line, 2);
  EXPECT_EQ(result.tree.Find("b")->origin().column, 4);
  EXPECT_EQ(result.tree.Find("c")->origin().line, 3);
  // a copied dict takes the origin of the interpolation; its entries keep theirs
  const Node* copy = result.tree.Find("d");
  ASSERT_TRUE(copy->IsMap());
  EXPECT_EQ(copy->origin().line, 6);
  EXPECT_EQ(copy->Find("x")->origin().line, 5);
}

TEST(InterpolationTest, ErrorCarriesKeyAndOriginOfTheInterpolation) {
  Node tree = Map({{"net", Map({{"sizes", List({Int(64), Str("${net.widht}", At(7, 12))})},
                                {"width", Int(64)}})}});
  Result result = Resolve(std::move(tree));
  ASSERT_EQ(result.diagnostics.ErrorCount(), 1u);
  const Diagnostic& diagnostic = result.diagnostics.Items()[0];
  EXPECT_EQ(diagnostic.key, "net.sizes[1]");
  EXPECT_EQ(diagnostic.origin.file, "cfg.yaml");
  EXPECT_EQ(diagnostic.origin.line, 7);
  EXPECT_EQ(diagnostic.origin.column, 12);
  EXPECT_EQ(diagnostic.candidates, std::vector<std::string>{"net.width"});
  EXPECT_EQ(diagnostic.Format(),
            "cfg.yaml:7:12: net.sizes[1]: interpolation '${net.widht}' refers to a key that does "
            "not exist: 'net.widht'. Did you mean 'net.width'?");
}

TEST(InterpolationTest, CollectsEveryErrorInOnePassAndResolvesTheRest) {
  Node tree = Map({{"trainer", Map({{"steps", Int(10)}, {"name", Missing()}})},
                   {"a", Str("${trainer.stepz}", At(3))},
                   {"ok1", Str("${trainer.steps}", At(4))},
                   {"b", List({Str("${oc.env:NOPE}", At(5))})},
                   {"c", Str("${c}", At(6))},
                   {"d", Str("${trainer.name}", At(7))},
                   {"e", Str("${oops", At(8))},
                   {"ok2", Str("n=${ok1}", At(9))}});
  Result result = Resolve(std::move(tree));
  ASSERT_EQ(result.diagnostics.ErrorCount(), 5u) << result.diagnostics.Format();
  const auto& items = result.diagnostics.Items();
  std::vector<std::string> keys;
  std::vector<int> lines;
  for (const auto& item : items) {
    keys.push_back(item.key);
    lines.push_back(item.origin.line);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b[0]", "c", "d", "e"}));
  EXPECT_EQ(lines, (std::vector<int>{3, 5, 6, 7, 8}));
  // the bad nodes stay as written, the good ones are resolved
  EXPECT_EQ(result.tree.Find("a")->AsString(), "${trainer.stepz}");
  EXPECT_EQ(result.tree.Find("e")->AsString(), "${oops");
  EXPECT_EQ(result.tree.Find("ok1")->AsInt(), 10);
  EXPECT_EQ(result.tree.Find("ok2")->AsString(), "n=10");
}

TEST(InterpolationTest, ReferenceToAFailedNodeIsNotReportedAgain) {
  Node tree = Map({{"a", Str("${nope}")},
                   {"b", Str("${a}")},
                   {"c", Str("${m}")},
                   {"m", Map({{"x", Str("${a}")}})}});
  Result result = Resolve(std::move(tree));
  ASSERT_EQ(result.diagnostics.ErrorCount(), 1u) << result.diagnostics.Format();
  EXPECT_EQ(result.diagnostics.Items()[0].key, "a");
  EXPECT_EQ(result.tree.Find("b")->AsString(), "${a}");
  EXPECT_EQ(result.tree.Find("c")->AsString(), "${m}");
}

TEST(InterpolationTest, CycleIsReportedOnceWithItsMembers) {
  Node tree = Map({{"x", Str("${a}")},
                   {"a", Str("${b}", At(2))},
                   {"b", Str("${a}", At(3))},
                   {"y", Str("${b}")}});
  Result result = Resolve(std::move(tree));
  ASSERT_EQ(result.diagnostics.ErrorCount(), 1u) << result.diagnostics.Format();
  const Diagnostic& diagnostic = result.diagnostics.Items()[0];
  EXPECT_EQ(diagnostic.key, "a");
  EXPECT_EQ(diagnostic.origin.line, 2);
  EXPECT_EQ(diagnostic.message, "interpolation cycle: a -> b -> a");
  EXPECT_EQ(diagnostic.details,
            (std::vector<std::string>{"a = '${b}' (cfg.yaml:2:3)", "b = '${a}' (cfg.yaml:3:3)"}));
}

TEST(InterpolationTest, EachNodeIsResolvedOnce) {
  int env_calls = 0;
  Node tree = Map({{"a", Str("${oc.env:HOME}")},
                   {"b", Str("${a}")},
                   {"c", Str("${a}/${b}")},
                   {"d", List({Str("${a}"), Str("${..b}")})}});
  Result result = Resolve(std::move(tree), TestContext(&env_calls));
  ASSERT_TRUE(result.diagnostics.Empty()) << result.diagnostics.Format();
  EXPECT_EQ(env_calls, 1);
  EXPECT_EQ(result.tree.Find("c")->AsString(), "/home/ada//home/ada");
  EXPECT_EQ(FindPath(result.tree, "d.1")->AsString(), "/home/ada");
}

TEST(InterpolationTest, TreeWithoutInterpolationsIsUntouched) {
  Node tree = Map({{"a", Str("price: $5")},
                   {"b", Str("C:\\dir")},
                   {"c", List({Int(1)})},
                   {"d", Str("{not} $ {an} interpolation")}});
  Node before = tree;
  Result result = Resolve(std::move(tree));
  EXPECT_TRUE(result.diagnostics.Empty());
  EXPECT_TRUE(result.tree.Equals(before));
}

TEST(InterpolationTest, NowUsesTheContextClockInLocalTime) {
  Node tree = Map({{"dir", Str("outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}")}});
  Result result = Resolve(std::move(tree));
  ASSERT_TRUE(result.diagnostics.Empty()) << result.diagnostics.Format();
  std::time_t seconds = kNow;
  std::tm local{};
  localtime_r(&seconds, &local);
  char expected[64];
  std::strftime(expected, sizeof(expected), "outputs/%Y-%m-%d/%H-%M-%S", &local);
  EXPECT_EQ(result.tree.Find("dir")->AsString(), expected);
}

TEST(InterpolationTest, DefaultContextReadsTheProcessEnvironment) {
  ::setenv("ORCH_INTERPOLATION_TEST_VAR", "from-env", 1);
  ::unsetenv("ORCH_INTERPOLATION_TEST_UNSET");
  Node tree = Map({{"a", Str("${oc.env:ORCH_INTERPOLATION_TEST_VAR}")},
                   {"b", Str("${oc.env:ORCH_INTERPOLATION_TEST_UNSET,dflt}")},
                   {"c", Str("${now:%Y}")}});
  Diagnostics diagnostics;
  ResolveInterpolations(tree, diagnostics);
  ASSERT_TRUE(diagnostics.Empty()) << diagnostics.Format();
  EXPECT_EQ(tree.Find("a")->AsString(), "from-env");
  EXPECT_EQ(tree.Find("b")->AsString(), "dflt");
  EXPECT_EQ(tree.Find("c")->AsString().size(), 4u);
}

TEST(InterpolationTest, NestedInterpolationsChooseBetweenConfigs) {
  Node tree = Map({{"algo", Str("sac")},
                   {"presets", Map({{"ppo", Map({{"lr", Float(0.0003)}})},
                                    {"sac", Map({{"lr", Float(0.001)}, {"tau", Float(0.005)}})}})},
                   {"optim", Str("${presets.${algo}}")},
                   {"lr", Str("${optim.lr}")},
                   {"tag", Str("${algo}-lr${lr}")}});
  Result result = Resolve(std::move(tree));
  ASSERT_TRUE(result.diagnostics.Empty()) << result.diagnostics.Format();
  EXPECT_TRUE(
      result.tree.Find("optim")->Equals(Map({{"lr", Float(0.001)}, {"tau", Float(0.005)}})));
  EXPECT_EQ(result.tree.Find("lr")->AsDouble(), 0.001);
  EXPECT_EQ(result.tree.Find("tag")->AsString(), "sac-lr0.001");
}

}  // namespace
}  // namespace orch::config
