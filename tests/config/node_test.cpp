// Tests src/config/node.cpp, src/config/key_path.cpp, src/config/json_writer.cpp and
// src/config/yaml_writer.cpp.
#include "config/node.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "config/json_writer.h"
#include "config/key_path.h"
#include "config/yaml_loader.h"
#include "config/yaml_writer.h"

namespace orch::config {
namespace {

using Strings = std::vector<std::string>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// --- builders that keep the trees in the tests short

Node S(std::string value) { return Node::String(std::move(value)); }
Node I(int64_t value) { return Node::Int(value); }
Node F(double value) { return Node::Float(value); }
Node B(bool value) { return Node::Bool(value); }

Node L(std::vector<Node> items) { return Node::MakeList(std::move(items)); }

Node M(std::vector<std::pair<std::string, Node>> entries) {
  Node map = Node::MakeMap();
  for (auto& [key, value] : entries) map.Set(key, std::move(value));
  return map;
}

Origin At(int line, int column) { return Origin::File("conf.yaml", line, column); }

//----- constructors and accessors -----

TEST(NodeTest, DefaultIsNull) {
  Node node;
  EXPECT_EQ(node.type(), NodeType::kNull);
  EXPECT_TRUE(node.IsNull());
  EXPECT_TRUE(node.IsScalar());
  EXPECT_FALSE(node.IsContainer());
  EXPECT_FALSE(node.origin().IsKnown());
  EXPECT_EQ(node.Size(), 0u);
}

TEST(NodeTest, ScalarConstructorsAndAccessors) {
  EXPECT_TRUE(Node::Null().IsNull());
  EXPECT_TRUE(Node::Missing().IsMissing());
  EXPECT_FALSE(Node::Missing().IsNull());

  Node flag = Node::Bool(true);
  EXPECT_TRUE(flag.IsBool());
  EXPECT_TRUE(flag.AsBool());
  EXPECT_FALSE(Node::Bool(false).AsBool());

  Node count = Node::Int(-42);
  EXPECT_TRUE(count.IsInt());
  EXPECT_TRUE(count.IsNumber());
  EXPECT_FALSE(count.IsFloat());
  EXPECT_EQ(count.AsInt(), -42);
  EXPECT_EQ(count.AsDouble(), -42.0);
  EXPECT_EQ(Node::Int(kInt64Min).AsInt(), kInt64Min);

  Node rate = Node::Float(0.25);
  EXPECT_TRUE(rate.IsFloat());
  EXPECT_TRUE(rate.IsNumber());
  EXPECT_FALSE(rate.IsInt());
  EXPECT_EQ(rate.AsDouble(), 0.25);

  Node name = Node::String("cheetah");
  EXPECT_TRUE(name.IsString());
  EXPECT_FALSE(name.IsNumber());
  EXPECT_EQ(name.AsString(), "cheetah");
  EXPECT_TRUE(name.IsScalar());
  EXPECT_EQ(name.Size(), 0u);
}

TEST(NodeTest, ConstructorsKeepTheOrigin) {
  EXPECT_EQ(Node::Null(At(1, 2)).origin().ToString(), "conf.yaml:1:2");
  EXPECT_EQ(Node::Missing(At(3, 4)).origin().line, 3);
  EXPECT_EQ(Node::Bool(true, At(5, 6)).origin().column, 6);
  EXPECT_EQ(Node::Int(1, Origin::Override(2, "a=1")).origin().ToString(), "override #2 'a=1'");
  EXPECT_EQ(Node::Float(1, At(7, 8)).origin().ToString(), "conf.yaml:7:8");
  EXPECT_EQ(Node::String("x", At(9, 1)).origin().ToString(), "conf.yaml:9:1");
  EXPECT_EQ(Node::MakeList({}, At(2, 2)).origin().ToString(), "conf.yaml:2:2");
  EXPECT_EQ(Node::MakeMap(At(1, 1)).origin().ToString(), "conf.yaml:1:1");
}

TEST(NodeTest, TypeNames) {
  EXPECT_STREQ(TypeName(NodeType::kNull), "null");
  EXPECT_STREQ(TypeName(NodeType::kMissing), "missing");
  EXPECT_STREQ(TypeName(NodeType::kBool), "bool");
  EXPECT_STREQ(TypeName(NodeType::kInt), "int");
  EXPECT_STREQ(TypeName(NodeType::kFloat), "float");
  EXPECT_STREQ(TypeName(NodeType::kString), "string");
  EXPECT_STREQ(TypeName(NodeType::kList), "list");
  EXPECT_STREQ(TypeName(NodeType::kMap), "dict");
}

TEST(NodeTest, Interpolation) {
  EXPECT_TRUE(S("${a.b}").IsInterpolation());
  EXPECT_TRUE(S("run_${seed}_x").IsInterpolation());
  EXPECT_TRUE(S("\\${escaped}").IsInterpolation());
  EXPECT_FALSE(S("$a").IsInterpolation());
  EXPECT_FALSE(S("{a}").IsInterpolation());
  EXPECT_FALSE(I(1).IsInterpolation());
  EXPECT_FALSE(Node().IsInterpolation());
}

TEST(NodeTest, Lists) {
  Node list = Node::MakeList({I(1), S("two")});
  EXPECT_TRUE(list.IsList());
  EXPECT_TRUE(list.IsContainer());
  EXPECT_FALSE(list.IsScalar());
  EXPECT_EQ(list.Size(), 2u);
  EXPECT_EQ(list.AsList()[1].AsString(), "two");
  list.MutableList().push_back(F(3.0));
  EXPECT_EQ(list.Size(), 3u);
  EXPECT_EQ(Node::MakeList().Size(), 0u);
  // lists have no keys
  EXPECT_EQ(list.Find("0"), nullptr);
  EXPECT_TRUE(list.Keys().empty());
  EXPECT_FALSE(list.Erase("0"));
}

TEST(NodeTest, CopyIsDeep) {
  Node original = M({{"a", M({{"b", I(1)}})}, {"l", L({I(1)})}});
  Node copy = original;
  copy.FindMutable("a")->Set("b", I(2));
  copy.FindMutable("l")->MutableList().push_back(I(2));
  EXPECT_EQ(original.Find("a")->Find("b")->AsInt(), 1);
  EXPECT_EQ(original.Find("l")->Size(), 1u);
  EXPECT_EQ(copy.Find("a")->Find("b")->AsInt(), 2);
}

TEST(NodeDeathTest, WrongAccessorIsAnInternalError) {
  EXPECT_DEATH(S("x").AsInt(), "AsInt on a non-int node");
  EXPECT_DEATH(I(1).AsString(), "AsString on a non-string node");
  EXPECT_DEATH(S("1").AsDouble(), "AsDouble on a non-number node");
  EXPECT_DEATH(L({}).Set("a", I(1)), "Set on a non-map node");
}

//----- mappings -----

TEST(NodeMapTest, SetAppendsNewKeysInOrder) {
  Node map = Node::MakeMap();
  EXPECT_TRUE(map.IsMap());
  EXPECT_EQ(map.Size(), 0u);
  map.Set("zeta", I(1));
  map.Set("alpha", I(2));
  map.Set("mid", I(3));
  EXPECT_EQ(map.Keys(), (Strings{"zeta", "alpha", "mid"}));
  EXPECT_EQ(map.Size(), 3u);
}

TEST(NodeMapTest, SetKeepsThePositionOfAnExistingKey) {
  Node map = M({{"a", I(1)}, {"b", I(2)}, {"c", I(3)}});
  Node& stored = map.Set("b", S("new"));
  EXPECT_EQ(stored.AsString(), "new");
  EXPECT_EQ(map.Keys(), (Strings{"a", "b", "c"}));
  EXPECT_EQ(map.Find("b")->AsString(), "new");
  EXPECT_EQ(map.Size(), 3u);
}

TEST(NodeMapTest, SetReplacesTheKeyOriginOnlyWhenKnown) {
  Node map = Node::MakeMap();
  map.Set("a", I(1), At(1, 1));
  map.Set("a", I(2));
  EXPECT_EQ(map.FindEntry("a")->key_origin.ToString(), "conf.yaml:1:1");
  map.Set("a", I(3), At(4, 5));
  EXPECT_EQ(map.FindEntry("a")->key_origin.ToString(), "conf.yaml:4:5");
  EXPECT_EQ(map.Find("a")->AsInt(), 3);
}

TEST(NodeMapTest, FindAndFindEntry) {
  Node map = Node::MakeMap();
  map.Set("a", Node::Int(1, At(2, 4)), At(2, 1));
  EXPECT_EQ(map.Find("a")->AsInt(), 1);
  EXPECT_EQ(map.Find("a")->origin().ToString(), "conf.yaml:2:4");
  const Node::Entry* entry = map.FindEntry("a");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->key, "a");
  EXPECT_EQ(entry->key_origin.ToString(), "conf.yaml:2:1");
  EXPECT_EQ(map.Find("b"), nullptr);
  EXPECT_EQ(map.FindEntry("b"), nullptr);
  EXPECT_EQ(map.FindMutable("b"), nullptr);
  map.FindMutable("a")->set_origin(At(9, 9));
  EXPECT_EQ(map.Find("a")->origin().line, 9);
  // scalars have no entries
  EXPECT_EQ(I(1).Find("a"), nullptr);
  EXPECT_EQ(I(1).FindEntry("a"), nullptr);
}

TEST(NodeMapTest, Erase) {
  Node map = M({{"a", I(1)}, {"b", I(2)}, {"c", I(3)}});
  EXPECT_TRUE(map.Erase("b"));
  EXPECT_EQ(map.Keys(), (Strings{"a", "c"}));
  EXPECT_FALSE(map.Erase("b"));
  EXPECT_FALSE(map.Erase("missing"));
  EXPECT_TRUE(map.Erase("a"));
  EXPECT_TRUE(map.Erase("c"));
  EXPECT_EQ(map.Size(), 0u);
  EXPECT_TRUE(map.IsMap());
  Node scalar = I(1);
  EXPECT_FALSE(scalar.Erase("a"));
}

TEST(NodeMapTest, MutableEntries) {
  Node map = M({{"a", I(1)}});
  map.MutableEntries().push_back(Node::Entry{"b", At(1, 1), I(2)});
  EXPECT_EQ(map.Keys(), (Strings{"a", "b"}));
  EXPECT_EQ(map.Entries()[1].value.AsInt(), 2);
}

TEST(NodeTest, SetOriginRecursive) {
  Node tree = M({{"a", M({{"b", L({I(1), M({{"c", S("x")}})})}})}});
  tree.SetOriginRecursive(Origin::Derived("test"));
  EXPECT_EQ(tree.origin().ToString(), "derived (test)");
  EXPECT_EQ(tree.FindEntry("a")->key_origin.ToString(), "derived (test)");
  EXPECT_EQ(FindPath(tree, "a.b.0")->origin().ToString(), "derived (test)");
  EXPECT_EQ(FindPath(tree, "a.b.1")->FindEntry("c")->key_origin.ToString(), "derived (test)");
  EXPECT_EQ(FindPath(tree, "a.b.1.c")->origin().ToString(), "derived (test)");
}

//----- equality -----

TEST(NodeEqualsTest, Scalars) {
  EXPECT_TRUE(Node().Equals(Node::Null()));
  EXPECT_TRUE(Node::Missing().Equals(Node::Missing()));
  EXPECT_FALSE(Node::Missing().Equals(Node::Null()));
  EXPECT_TRUE(B(true).Equals(B(true)));
  EXPECT_FALSE(B(true).Equals(B(false)));
  EXPECT_TRUE(I(7).Equals(I(7)));
  EXPECT_FALSE(I(7).Equals(I(8)));
  EXPECT_TRUE(S("a").Equals(S("a")));
  EXPECT_FALSE(S("a").Equals(S("A")));
  EXPECT_FALSE(S("1").Equals(I(1)));
  EXPECT_FALSE(S("").Equals(Node::Null()));
  EXPECT_FALSE(B(true).Equals(I(1)));
}

TEST(NodeEqualsTest, AnIntNeverEqualsAFloat) {
  EXPECT_FALSE(I(1).Equals(F(1.0)));
  EXPECT_FALSE(F(1.0).Equals(I(1)));
  EXPECT_TRUE(F(1.0).Equals(F(1.0)));
  EXPECT_FALSE(F(0.1).Equals(F(0.1 + 1e-17 * 100)));
}

TEST(NodeEqualsTest, NonFiniteFloats) {
  EXPECT_TRUE(F(kNan).Equals(F(kNan)));
  EXPECT_FALSE(F(kNan).Equals(F(1.0)));
  EXPECT_TRUE(F(kInf).Equals(F(kInf)));
  EXPECT_FALSE(F(kInf).Equals(F(-kInf)));
  EXPECT_TRUE(F(0.0).Equals(F(-0.0)));
}

TEST(NodeEqualsTest, MapKeyOrderIsIgnored) {
  Node a = M({{"x", I(1)}, {"y", M({{"p", S("q")}, {"r", L({I(1)})}})}});
  Node b = M({{"y", M({{"r", L({I(1)})}, {"p", S("q")}})}, {"x", I(1)}});
  EXPECT_TRUE(a.Equals(b));
  EXPECT_TRUE(b.Equals(a));
}

TEST(NodeEqualsTest, MapsDifferInKeysOrValues) {
  Node base = M({{"x", I(1)}, {"y", I(2)}});
  EXPECT_FALSE(base.Equals(M({{"x", I(1)}})));
  EXPECT_FALSE(M({{"x", I(1)}}).Equals(base));
  EXPECT_FALSE(base.Equals(M({{"x", I(1)}, {"z", I(2)}})));
  EXPECT_FALSE(base.Equals(M({{"x", I(1)}, {"y", I(3)}})));
  EXPECT_TRUE(Node::MakeMap().Equals(Node::MakeMap()));
  EXPECT_FALSE(Node::MakeMap().Equals(Node::MakeList()));
}

TEST(NodeEqualsTest, ListOrderMatters) {
  EXPECT_TRUE(L({I(1), I(2)}).Equals(L({I(1), I(2)})));
  EXPECT_FALSE(L({I(1), I(2)}).Equals(L({I(2), I(1)})));
  EXPECT_FALSE(L({I(1)}).Equals(L({I(1), I(1)})));
  EXPECT_FALSE(L({I(1)}).Equals(L({F(1.0)})));
  EXPECT_TRUE(L({}).Equals(L({})));
}

TEST(NodeEqualsTest, OriginsAreIgnored) {
  Node a = Node::MakeMap(At(1, 1));
  a.Set("k", Node::Int(1, At(1, 4)), At(1, 1));
  Node b = Node::MakeMap(Origin::Override(1, "k=1"));
  b.Set("k", Node::Int(1, Origin::Override(1, "k=1")));
  EXPECT_TRUE(a.Equals(b));
  EXPECT_TRUE(Node::String("x", At(1, 1)).Equals(S("x")));
}

//----- Describe -----

TEST(NodeTest, DescribeUsesFlowYaml) {
  EXPECT_EQ(S("fast").Describe(), "fast");
  EXPECT_EQ(S("yes").Describe(), "'yes'");
  EXPECT_EQ(S("1").Describe(), "'1'");
  EXPECT_EQ(I(3).Describe(), "3");
  EXPECT_EQ(F(3).Describe(), "3.0");
  EXPECT_EQ(Node().Describe(), "null");
  EXPECT_EQ(Node::Missing().Describe(), "???");
  EXPECT_EQ(M({{"a", I(1)}, {"b", L({S("x"), S("y")})}}).Describe(), "{a: 1, b: [x, 'y']}");
}

TEST(NodeTest, DescribeShortensLongValues) {
  Node list = L({I(1000), I(2000), I(3000)});
  EXPECT_EQ(list.Describe(), "[1000, 2000, 3000]");
  EXPECT_EQ(list.Describe(10), "[1000, 200...");
  EXPECT_EQ(list.Describe(18), "[1000, 2000, 3000]");
  EXPECT_EQ(list.Describe(17), "[1000, 2000, 3000...");
  EXPECT_EQ(S(std::string(100, 'x')).Describe(), std::string(60, 'x') + "...");
}

//----- MergeInto -----

TEST(MergeIntoTest, MappingsMergeKeyByKeyAtEveryDepth) {
  Node destination =
      M({{"a", M({{"b", I(1)}, {"c", M({{"d", I(1)}, {"e", I(2)}})}})}, {"top", S("kept")}});
  Node source =
      M({{"a", M({{"c", M({{"e", I(3)}, {"f", I(4)}})}, {"g", I(5)}})}, {"new", B(true)}});
  MergeInto(destination, source);
  Node expected =
      M({{"a", M({{"b", I(1)}, {"c", M({{"d", I(1)}, {"e", I(3)}, {"f", I(4)}})}, {"g", I(5)}})},
         {"top", S("kept")},
         {"new", B(true)}});
  EXPECT_TRUE(destination.Equals(expected)) << ToFlowYaml(destination);
  // existing keys keep their place, new ones are appended in source order
  EXPECT_EQ(destination.Keys(), (Strings{"a", "top", "new"}));
  EXPECT_EQ(destination.Find("a")->Keys(), (Strings{"b", "c", "g"}));
  EXPECT_EQ(FindPath(destination, "a.c")->Keys(), (Strings{"d", "e", "f"}));
}

TEST(MergeIntoTest, ListsReplaceWholesale) {
  Node destination =
      M({{"l", L({I(1), I(2), I(3)})}, {"maps", L({M({{"a", I(1)}, {"b", I(2)}})})}});
  MergeInto(destination, M({{"l", L({I(9)})}, {"maps", L({M({{"a", I(5)}})})}}));
  EXPECT_EQ(ToFlowYaml(destination), "{l: [9], maps: [{a: 5}]}");
  MergeInto(destination, M({{"l", L({})}}));
  EXPECT_EQ(ToFlowYaml(destination), "{l: [], maps: [{a: 5}]}");
}

TEST(MergeIntoTest, MapReplacesScalarAndViceVersa) {
  Node destination = M({{"s", I(1)}, {"m", M({{"x", I(1)}})}, {"l", L({I(1)})}});
  MergeInto(destination, M({{"s", M({{"nested", I(1)}})}, {"m", S("flat")}, {"l", M({})}}));
  EXPECT_EQ(ToFlowYaml(destination), "{s: {nested: 1}, m: flat, l: {}}");
  MergeInto(destination, M({{"s", Node::Null()}, {"l", L({I(2)})}}));
  EXPECT_EQ(ToFlowYaml(destination), "{s: null, m: flat, l: [2]}");
}

TEST(MergeIntoTest, EmptyMapChangesNothing) {
  Node destination = M({{"a", M({{"b", I(1)}})}});
  MergeInto(destination, M({{"a", M({})}}));
  EXPECT_EQ(ToFlowYaml(destination), "{a: {b: 1}}");
  MergeInto(destination, Node::MakeMap());
  EXPECT_EQ(ToFlowYaml(destination), "{a: {b: 1}}");
}

TEST(MergeIntoTest, NonMapsReplaceTheDestination) {
  Node destination = M({{"a", I(1)}});
  MergeInto(destination, L({I(1)}));
  EXPECT_EQ(ToFlowYaml(destination), "[1]");
  MergeInto(destination, M({{"b", I(2)}}));
  EXPECT_EQ(ToFlowYaml(destination), "{b: 2}");
  Node scalar = S("x");
  MergeInto(scalar, I(5));
  EXPECT_TRUE(scalar.Equals(I(5)));
}

TEST(MergeIntoTest, MergedValuesCarryTheSourceOrigins) {
  Node destination = Node::MakeMap(At(1, 1));
  destination.Set("a", Node::Int(1, At(1, 4)), At(1, 1));
  destination.Set("b", Node::Int(2, At(2, 4)), At(2, 1));
  Node source = Node::MakeMap(Origin::Override(1, "a=5"));
  source.Set("a", Node::Int(5, Origin::Override(1, "a=5")), Origin::Override(1, "a=5"));
  MergeInto(destination, source);
  EXPECT_EQ(destination.Find("a")->AsInt(), 5);
  EXPECT_EQ(destination.Find("a")->origin().ToString(), "override #1 'a=5'");
  EXPECT_EQ(destination.FindEntry("a")->key_origin.ToString(), "override #1 'a=5'");
  EXPECT_EQ(destination.Find("b")->origin().ToString(), "conf.yaml:2:4");
  // the merged mapping itself keeps its own origin
  EXPECT_EQ(destination.origin().ToString(), "conf.yaml:1:1");
}

//----- key paths -----

TEST(KeyPathTest, JoinAndIndexKeys) {
  EXPECT_EQ(JoinKey("", "a"), "a");
  EXPECT_EQ(JoinKey("a", "b"), "a.b");
  EXPECT_EQ(JoinKey("a.b", "c"), "a.b.c");
  EXPECT_EQ(IndexKey("gammas", 0), "gammas[0]");
  EXPECT_EQ(IndexKey("a.b", 12), "a.b[12]");
  EXPECT_EQ(IndexKey(IndexKey("m", 1), 2), "m[1][2]");
}

TEST(KeyPathTest, SplitDottedKey) {
  EXPECT_TRUE(SplitDottedKey("").empty());
  EXPECT_EQ(SplitDottedKey("a"), (Strings{"a"}));
  EXPECT_EQ(SplitDottedKey("a.b.0"), (Strings{"a", "b", "0"}));
  EXPECT_EQ(SplitDottedKey("a..b"), (Strings{"a", "", "b"}));
}

TEST(KeyPathTest, IsIndexSegment) {
  EXPECT_TRUE(IsIndexSegment("0"));
  EXPECT_TRUE(IsIndexSegment("12"));
  EXPECT_FALSE(IsIndexSegment(""));
  EXPECT_FALSE(IsIndexSegment("-1"));
  EXPECT_FALSE(IsIndexSegment("1a"));
  EXPECT_FALSE(IsIndexSegment("a"));
}

Node PathTree() {
  return M({{"a", M({{"b", L({S("first"), M({{"c", I(3)}}), L({I(10), I(11)})})}})},
            {"x", I(1)},
            {"7", S("digit key")}});
}

TEST(KeyPathTest, FindPath) {
  const Node tree = PathTree();
  EXPECT_EQ(FindPath(tree, ""), &tree);
  EXPECT_TRUE(FindPath(tree, "a")->IsMap());
  EXPECT_EQ(FindPath(tree, "a.b.0")->AsString(), "first");
  EXPECT_EQ(FindPath(tree, "a.b.1.c")->AsInt(), 3);
  EXPECT_EQ(FindPath(tree, "a.b.2.1")->AsInt(), 11);
  EXPECT_EQ(FindPath(tree, "x")->AsInt(), 1);
  // digits name a key in a mapping
  EXPECT_EQ(FindPath(tree, "7")->AsString(), "digit key");
}

TEST(KeyPathTest, FindPathMisses) {
  const Node tree = PathTree();
  EXPECT_EQ(FindPath(tree, "nope"), nullptr);
  EXPECT_EQ(FindPath(tree, "a.b.3"), nullptr);
  EXPECT_EQ(FindPath(tree, "a.b.first"), nullptr);
  EXPECT_EQ(FindPath(tree, "x.y"), nullptr);
  EXPECT_EQ(FindPath(tree, "a.b.0.z"), nullptr);
  EXPECT_EQ(FindPath(tree, "a.b.-1"), nullptr);
}

TEST(KeyPathTest, FindPathMutable) {
  Node tree = PathTree();
  Node* node = FindPathMutable(tree, "a.b.1.c");
  ASSERT_NE(node, nullptr);
  *node = S("changed");
  EXPECT_EQ(FindPath(tree, "a.b.1.c")->AsString(), "changed");
  EXPECT_EQ(FindPathMutable(tree, "a.b.9"), nullptr);
  EXPECT_EQ(FindPathMutable(tree, ""), &tree);
}

TEST(KeyPathTest, DisplayKey) {
  const Node tree = PathTree();
  EXPECT_EQ(DisplayKey(tree, "a.b.0"), "a.b[0]");
  EXPECT_EQ(DisplayKey(tree, "a.b.1.c"), "a.b[1].c");
  EXPECT_EQ(DisplayKey(tree, "a.b.2.1"), "a.b[2][1]");
  EXPECT_EQ(DisplayKey(tree, "x"), "x");
  EXPECT_EQ(DisplayKey(tree, "7"), "7");
  EXPECT_EQ(DisplayKey(tree, ""), "");
  // beyond the tree, digits stay dotted
  EXPECT_EQ(DisplayKey(tree, "new.0.k"), "new.0.k");
  EXPECT_EQ(DisplayKey(L({L({I(1)})}), "0.0"), "[0][0]");
}

//----- JSON -----

TEST(ToJsonTest, KeepsConfigOrder) {
  Node tree = M({{"z", I(1)}, {"a", L({F(1.0), S("x"), Node(), B(false)})}, {"m", M({})}});
  EXPECT_EQ(ToJson(tree), R"({"z":1,"a":[1.0,"x",null,false],"m":{}})");
}

TEST(ToJsonTest, Indented) {
  Node tree = M({{"a", I(1)}, {"b", L({I(1), M({{"c", S("d")}})})}, {"e", L({})}});
  EXPECT_EQ(ToJson(tree, 2),
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [\n"
            "    1,\n"
            "    {\n"
            "      \"c\": \"d\"\n"
            "    }\n"
            "  ],\n"
            "  \"e\": []\n"
            "}");
  EXPECT_EQ(ToJson(M({{"k", I(1)}}), 4), "{\n    \"k\": 1\n}");
}

TEST(ToJsonTest, ScalarsAndMissing) {
  EXPECT_EQ(ToJson(Node::Missing()), R"("???")");
  EXPECT_EQ(ToJson(S("a\"b")), R"("a\"b")");
  EXPECT_EQ(ToJson(I(kInt64Min)), "-9223372036854775808");
  EXPECT_EQ(ToJson(F(kNan)), "NaN");
}

TEST(CanonicalJsonTest, SortedCompactAndTyped) {
  Node tree = M({{"b", I(1)},
                 {"a", M({{"d", F(1.0)}, {"c", L({I(1), F(1.0), S("x"), Node::Missing()})}})},
                 {"c", M({})},
                 {"e", Node()},
                 {"f", B(true)}});
  EXPECT_EQ(CanonicalJson(tree),
            R"({"a":{"c":[1,1.0,"x","???"],"d":1.0},"b":1,"c":{},"e":null,"f":true})");
}

TEST(CanonicalJsonTest, IntAndFloatDiffer) {
  EXPECT_EQ(CanonicalJson(M({{"x", I(1)}})), R"({"x":1})");
  EXPECT_EQ(CanonicalJson(M({{"x", F(1.0)}})), R"({"x":1.0})");
  EXPECT_EQ(CanonicalJson(F(3e-4)), "0.0003");
  EXPECT_EQ(CanonicalJson(F(1e16)), "1e+16");
  EXPECT_EQ(CanonicalJson(F(0.1)), "0.1");
}

TEST(CanonicalJsonTest, NonFiniteFloats) {
  EXPECT_EQ(CanonicalJson(L({F(kInf), F(-kInf), F(kNan)})), "[Infinity,-Infinity,NaN]");
}

TEST(CanonicalJsonTest, IndependentOfInsertionOrder) {
  Node first = M({{"x", I(1)}, {"y", M({{"p", I(1)}, {"q", I(2)}})}, {"z", L({I(1), I(2)})}});
  Node second = M({{"z", L({I(1), I(2)})}, {"y", M({{"q", I(2)}, {"p", I(1)}})}, {"x", I(1)}});
  EXPECT_EQ(CanonicalJson(first), CanonicalJson(second));
  EXPECT_NE(ToJson(first), ToJson(second));
  // list order is data, not presentation
  Node third = M({{"x", I(1)}, {"y", M({{"p", I(1)}, {"q", I(2)}})}, {"z", L({I(2), I(1)})}});
  EXPECT_NE(CanonicalJson(first), CanonicalJson(third));
}

TEST(CanonicalJsonTest, KeysSortBytewise) {
  Node tree = M({{"b", I(0)},
                 {"\xc3\xa9", I(0)},
                 {"a", I(0)},
                 {"_", I(0)},
                 {"B", I(0)},
                 {"9", I(0)},
                 {"10", I(0)}});
  EXPECT_EQ(CanonicalJson(tree),
            "{\"10\":0,\"9\":0,\"B\":0,\"_\":0,\"a\":0,\"b\":0,\"\xc3\xa9\":0}");
}

TEST(CanonicalJsonTest, OriginsDoNotMatter) {
  Node a = Node::MakeMap(At(1, 1));
  a.Set("k", Node::Int(1, At(1, 4)), At(1, 1));
  EXPECT_EQ(CanonicalJson(a), CanonicalJson(M({{"k", I(1)}})));
}

TEST(WriteJsonTest, EmbedsInAnOpenWriter) {
  JsonWriter json;
  json.BeginObject();
  json.Key("config");
  WriteJson(json, M({{"b", I(1)}, {"a", I(2)}}), /*sort_keys=*/true);
  json.Key("raw");
  WriteJson(json, M({{"b", I(1)}, {"a", I(2)}}));
  json.EndObject();
  EXPECT_EQ(json.str(), R"({"config":{"a":2,"b":1},"raw":{"b":1,"a":2}})");
}

//----- YAML scalars -----

struct ScalarYamlCase {
  std::string text;   ///< the string value
  std::string block;  ///< ScalarToYaml(value)
  std::string flow;   ///< ScalarToYaml(value, in_flow=true)
};

void PrintTo(const ScalarYamlCase& row, std::ostream* out) { *out << JsonQuote(row.text); }

class StringToYamlTest : public testing::TestWithParam<ScalarYamlCase> {};

TEST_P(StringToYamlTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ScalarToYaml(S(GetParam().text)), GetParam().block);
  EXPECT_EQ(ScalarToYaml(S(GetParam().text), /*in_flow=*/true), GetParam().flow);
}

INSTANTIATE_TEST_SUITE_P(
    Table, StringToYamlTest,
    testing::Values(
        // words another type would claim
        ScalarYamlCase{"yes", "'yes'", "'yes'"}, ScalarYamlCase{"Yes", "'Yes'", "'Yes'"},
        ScalarYamlCase{"no", "'no'", "'no'"}, ScalarYamlCase{"y", "'y'", "'y'"},
        ScalarYamlCase{"N", "'N'", "'N'"}, ScalarYamlCase{"on", "'on'", "'on'"},
        ScalarYamlCase{"OFF", "'OFF'", "'OFF'"}, ScalarYamlCase{"true", "'true'", "'true'"},
        ScalarYamlCase{"False", "'False'", "'False'"}, ScalarYamlCase{"null", "'null'", "'null'"},
        ScalarYamlCase{"NULL", "'NULL'", "'NULL'"}, ScalarYamlCase{"~", "'~'", "'~'"},
        ScalarYamlCase{"???", "'?\?\?'", "'?\?\?'"}, ScalarYamlCase{"<<", "'<<'", "'<<'"},
        ScalarYamlCase{"=", "'='", "'='"},
        // numbers and number-like text
        ScalarYamlCase{"1", "'1'", "'1'"}, ScalarYamlCase{"-1", "'-1'", "'-1'"},
        ScalarYamlCase{"+1", "'+1'", "'+1'"}, ScalarYamlCase{"1.5", "'1.5'", "'1.5'"},
        ScalarYamlCase{".5", "'.5'", "'.5'"}, ScalarYamlCase{"1e3", "'1e3'", "'1e3'"},
        ScalarYamlCase{"0x10", "'0x10'", "'0x10'"}, ScalarYamlCase{"010", "'010'", "'010'"},
        ScalarYamlCase{"1_000", "'1_000'", "'1_000'"}, ScalarYamlCase{"3rd", "'3rd'", "'3rd'"},
        ScalarYamlCase{".inf", "'.inf'", "'.inf'"}, ScalarYamlCase{"-.Inf", "'-.Inf'", "'-.Inf'"},
        ScalarYamlCase{".NaN", "'.NaN'", "'.NaN'"}, ScalarYamlCase{"inf", "'inf'", "'inf'"},
        ScalarYamlCase{"nan", "'nan'", "'nan'"}, ScalarYamlCase{"...", "'...'", "'...'"},
        // empty and whitespace
        ScalarYamlCase{"", "''", "''"}, ScalarYamlCase{" lead", "' lead'", "' lead'"},
        ScalarYamlCase{"trail ", "'trail '", "'trail '"}, ScalarYamlCase{" ", "' '", "' '"},
        // indicators
        ScalarYamlCase{"a: b", "'a: b'", "'a: b'"}, ScalarYamlCase{"a:", "'a:'", "'a:'"},
        ScalarYamlCase{"x #c", "'x #c'", "'x #c'"}, ScalarYamlCase{"#c", "'#c'", "'#c'"},
        ScalarYamlCase{"- a", "'- a'", "'- a'"}, ScalarYamlCase{"-", "'-'", "'-'"},
        ScalarYamlCase{"? a", "'? a'", "'? a'"}, ScalarYamlCase{"[a]", "'[a]'", "'[a]'"},
        ScalarYamlCase{"{a}", "'{a}'", "'{a}'"}, ScalarYamlCase{"&a", "'&a'", "'&a'"},
        ScalarYamlCase{"*a", "'*a'", "'*a'"}, ScalarYamlCase{"!a", "'!a'", "'!a'"},
        ScalarYamlCase{"|", "'|'", "'|'"}, ScalarYamlCase{"> x", "'> x'", "'> x'"},
        ScalarYamlCase{"%x", "'%x'", "'%x'"}, ScalarYamlCase{"@x", "'@x'", "'@x'"},
        ScalarYamlCase{"`x", "'`x'", "'`x'"}, ScalarYamlCase{",x", "',x'", "',x'"},
        ScalarYamlCase{"'q'", "'''q'''", "'''q'''"}, ScalarYamlCase{"\"q\"", "'\"q\"'", "'\"q\"'"},
        // control characters need double quotes
        ScalarYamlCase{"a\nb", "\"a\\nb\"", "\"a\\nb\""},
        ScalarYamlCase{"tab\t", "\"tab\\t\"", "\"tab\\t\""},
        ScalarYamlCase{"cr\r", "\"cr\\r\"", "\"cr\\r\""},
        ScalarYamlCase{"\x01", "\"\\x01\"", "\"\\x01\""},
        ScalarYamlCase{"del\x7f", "\"del\\x7f\"", "\"del\\x7f\""},
        ScalarYamlCase{"q\"\\\n", "\"q\\\"\\\\\\n\"", "\"q\\\"\\\\\\n\""},
        // flow indicators inside the text matter only in flow context
        ScalarYamlCase{"a,b", "a,b", "'a,b'"}, ScalarYamlCase{"a[0]", "a[0]", "'a[0]'"},
        ScalarYamlCase{"x{y}", "x{y}", "'x{y}'"}, ScalarYamlCase{"${a.b}", "${a.b}", "'${a.b}'"},
        // plain strings stay plain
        ScalarYamlCase{"plain", "plain", "plain"},
        ScalarYamlCase{"two words", "two words", "two words"},
        ScalarYamlCase{"it's", "it's", "it's"}, ScalarYamlCase{"a:b", "a:b", "'a:b'"},
        ScalarYamlCase{"a#b", "a#b", "a#b"}, ScalarYamlCase{"-a", "-a", "-a"},
        ScalarYamlCase{"+", "+", "+"}, ScalarYamlCase{".", ".", "."},
        ScalarYamlCase{"e3", "e3", "e3"},
        ScalarYamlCase{"cheetah-run", "cheetah-run", "cheetah-run"},
        ScalarYamlCase{"a\\b", "a\\b", "a\\b"}, ScalarYamlCase{"null_ish", "null_ish", "null_ish"},
        ScalarYamlCase{"h\xc3\xa9llo", "h\xc3\xa9llo", "h\xc3\xa9llo"}));

TEST(ScalarToYamlTest, NonStrings) {
  EXPECT_EQ(ScalarToYaml(Node()), "null");
  EXPECT_EQ(ScalarToYaml(Node::Missing()), "???");
  EXPECT_EQ(ScalarToYaml(B(true)), "true");
  EXPECT_EQ(ScalarToYaml(B(false)), "false");
  EXPECT_EQ(ScalarToYaml(I(-5)), "-5");
  EXPECT_EQ(ScalarToYaml(I(kInt64Min)), "-9223372036854775808");
  EXPECT_EQ(ScalarToYaml(F(1.0)), "1.0");
  EXPECT_EQ(ScalarToYaml(F(3e-4)), "0.0003");
  EXPECT_EQ(ScalarToYaml(F(1e-5)), "1e-05");
  EXPECT_EQ(ScalarToYaml(F(kInf)), ".inf");
  EXPECT_EQ(ScalarToYaml(F(-kInf)), "-.inf");
  EXPECT_EQ(ScalarToYaml(F(kNan)), ".nan");
  // containers fall back to flow style
  EXPECT_EQ(ScalarToYaml(L({I(1), S("a,b")})), "[1, 'a,b']");
  EXPECT_EQ(ScalarToYaml(Node::MakeMap()), "{}");
}

TEST(KeyToYamlTest, QuotesKeysLikeFlowScalars) {
  EXPECT_EQ(KeyToYaml("horizon"), "horizon");
  EXPECT_EQ(KeyToYaml("a b"), "a b");
  EXPECT_EQ(KeyToYaml(""), "''");
  EXPECT_EQ(KeyToYaml("1"), "'1'");
  EXPECT_EQ(KeyToYaml("y"), "'y'");
  EXPECT_EQ(KeyToYaml("null"), "'null'");
  EXPECT_EQ(KeyToYaml("a,b"), "'a,b'");
  EXPECT_EQ(KeyToYaml("a: b"), "'a: b'");
  EXPECT_EQ(KeyToYaml("a\nb"), "\"a\\nb\"");
}

//----- YAML documents -----

TEST(ToFlowYamlTest, Containers) {
  EXPECT_EQ(ToFlowYaml(Node::MakeMap()), "{}");
  EXPECT_EQ(ToFlowYaml(L({})), "[]");
  EXPECT_EQ(ToFlowYaml(M({{"a", I(1)}, {"b", L({S("x"), S("y,z")})}})), "{a: 1, b: [x, 'y,z']}");
  EXPECT_EQ(ToFlowYaml(L({M({{"k", S("[v]")}}), L({}), M({}), Node()})),
            "[{k: '[v]'}, [], {}, null]");
  EXPECT_EQ(ToFlowYaml(M({{"a b", S("c d")}, {"1", S("yes")}})), "{a b: c d, '1': 'yes'}");
  EXPECT_EQ(ToFlowYaml(S("plain")), "plain");
  EXPECT_EQ(ToFlowYaml(S("a,b")), "'a,b'");
}

TEST(ToYamlTest, EmptyAndScalarDocuments) {
  EXPECT_EQ(ToYaml(Node::MakeMap()), "{}\n");
  EXPECT_EQ(ToYaml(L({})), "[]\n");
  EXPECT_EQ(ToYaml(I(1)), "1\n");
  EXPECT_EQ(ToYaml(S("yes")), "'yes'\n");
  EXPECT_EQ(ToYaml(Node()), "null\n");
}

Node NestedTree() {
  return M({{"a", I(1)},
            {"items", L({M({{"x", I(1)}, {"y", L({I(1), I(2)})}, {"z", M({{"p", I(1)}})}}),
                         L({S("a"), S("b")}), L({S("q"), M({{"r", I(1)}})})})},
            {"l", L({I(1), F(2.5), S("s")})},
            {"e", M({})},
            {"f", L({})},
            {"n", Node()},
            {"m", Node::Missing()}});
}

TEST(ToYamlTest, BlockStyleWithNestedListsOfMaps) {
  EXPECT_EQ(ToYaml(NestedTree()),
            "a: 1\n"
            "items:\n"
            "  - x: 1\n"
            "    'y': [1, 2]\n"
            "    z:\n"
            "      p: 1\n"
            "  - [a, b]\n"
            "  -\n"
            "    - q\n"
            "    - r: 1\n"
            "l: [1, 2.5, s]\n"
            "e: {}\n"
            "f: []\n"
            "'n': null\n"
            "m: ???\n");
}

TEST(ToYamlTest, TopLevelList) {
  EXPECT_EQ(ToYaml(L({I(1), M({{"a", I(1)}, {"b", I(2)}}), L({M({{"c", I(3)}})})})),
            "- 1\n"
            "- a: 1\n"
            "  b: 2\n"
            "-\n"
            "  - c: 3\n");
}

TEST(ToYamlTest, ListOfMapsWithNestedValues) {
  Node tree = M({{"runs", L({M({{"name", S("a")},
                                {"args", M({{"lr", F(0.1)}})},
                                {"seeds", L({M({{"s", I(1)}})})}})})}});
  EXPECT_EQ(ToYaml(tree),
            "runs:\n"
            "  - name: a\n"
            "    args:\n"
            "      lr: 0.1\n"
            "    seeds:\n"
            "      - s: 1\n");
}

TEST(ToYamlTest, FlowListWidth) {
  Node tree = M({{"l", L({I(100), I(200), I(300)})}});
  EXPECT_EQ(ToYaml(tree), "l: [100, 200, 300]\n");
  YamlStyle narrow;
  narrow.flow_list_width = 15;  // "[100, 200, 300]" is exactly 15 characters
  EXPECT_EQ(ToYaml(tree, narrow), "l: [100, 200, 300]\n");
  narrow.flow_list_width = 14;
  EXPECT_EQ(ToYaml(tree, narrow), "l:\n  - 100\n  - 200\n  - 300\n");
  // the default width (100) puts long lists in block style
  Node long_list = M({{"l", L(std::vector<Node>(30, S("item")))}});
  EXPECT_EQ(ToYaml(long_list).rfind("l:\n  - item\n  - item\n", 0), 0u) << ToYaml(long_list);
}

TEST(ToYamlTest, AnnotateOrigins) {
  Node tree = Node::MakeMap(At(1, 1));
  tree.Set("a", Node::Int(1, At(1, 4)), At(1, 1));
  Node list = Node::MakeList(
      {Node::String("x", At(2, 5)), Node::Int(2, Origin::Override(1, "l=[x,2]"))}, At(2, 4));
  tree.Set("l", list, At(2, 1));
  Node inner = Node::MakeMap(At(4, 3));
  inner.Set("p", Node::Float(0.5, Origin::SchemaDefault("algo")));
  tree.Set("m", inner, At(3, 1));
  tree.Set("e", Node::MakeList({}, At(6, 4)));
  tree.Set("u", I(7));  // no origin: no comment
  YamlStyle style;
  style.annotate_origins = true;
  EXPECT_EQ(ToYaml(tree, style),
            "a: 1  # conf.yaml:1:4\n"
            "l:  # conf.yaml:2:4\n"
            "  - x  # conf.yaml:2:5\n"
            "  - 2  # override #1 'l=[x,2]'\n"
            "m:  # conf.yaml:4:3\n"
            "  p: 0.5  # default of the 'algo' schema\n"
            "e: []  # conf.yaml:6:4\n"
            "u: 7\n");
}

//----- YAML round trip: ToYaml output read back by the loader gives the same tree -----

struct RoundTripCase {
  std::string name;
  Node value;
};

void PrintTo(const RoundTripCase& row, std::ostream* out) { *out << row.name; }

std::string CaseName(const testing::TestParamInfo<RoundTripCase>& info) { return info.param.name; }

// every string the writer has to quote, and some it must not
std::vector<std::string> TrickyStrings() {
  // clang-format off
  return {
      // reserved words and number-like text
      "yes", "no", "y", "n", "Y", "on", "off", "On", "true", "False", "TRUE", "null", "Null",
      "NULL", "nUlL", "~", "???", "<<", "=", "1", "-1", "+1", "0", "-0", "1.5", "-1.5", "1e3",
      "1E-3", "1_000", "010", "0x10", "0o7", ".5", "1.", ".inf", "-.inf", "+.inf", ".NaN", ".INF",
      "inf", "nan", "-inf", "...", "..",
      // empty and whitespace
      "", " ", "  ", " lead", "trail ",
      // indicators
      "a: b", "a:", "x #c", "#c", "- a", "-", "--x", "? a", ":", ": a", "a,b", "[a]", "{a: 1}",
      "]", "}", "&anchor", "*alias", "!tag", "!!str", "|", "> folded", "%dir", "@at", "`tick",
      "'single'", "\"double\"", "it's", "say \"hi\"", "back\\slash",
      // control characters
      "line\nbreak", "trailing newline\n", "\n", "tab\tbed", "\tlead tab", "cr\r", "\x01 bell",
      "del\x7f",
      // interpolations and plain text
      "${a.b}", "\\${escaped}", "${oc.env:HOME,/tmp}", "-a", "a:b", "http://host:80/path", "a#b",
      "plain words", "cheetah-run",
      // unicode
      "h\xc3\xa9llo w\xc3\xb6rld", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "emoji \xf0\x9f\x98\x80",
      "\xc2\xa0nbsp", "a\xe2\x80\xa8 b"};
  // clang-format on
}

std::vector<RoundTripCase> RoundTripCases() {
  std::vector<RoundTripCase> cases = {
      {"Null", Node()},
      {"True", B(true)},
      {"False", B(false)},
      {"IntZero", I(0)},
      {"IntNegative", I(-17)},
      {"IntMax", I(kInt64Max)},
      {"IntMin", I(kInt64Min)},
      {"FloatZero", F(0.0)},
      {"FloatNegativeZero", F(-0.0)},
      {"FloatOne", F(1.0)},
      {"FloatNegative", F(-2.5)},
      {"FloatSmall", F(3e-4)},
      {"FloatTiny", F(1e-5)},
      {"FloatLarge", F(1e16)},
      {"FloatNegativeLarge", F(-1.2345678901234568e+300)},
      {"FloatMax", F(std::numeric_limits<double>::max())},
      {"FloatDenormal", F(5e-324)},
      {"FloatThird", F(1.0 / 3.0)},
      {"FloatInf", F(kInf)},
      {"FloatNegativeInf", F(-kInf)},
      {"FloatNan", F(kNan)},
      {"EmptyMap", Node::MakeMap()},
      {"EmptyList", L({})},
      {"ListOfScalars", L({I(1), F(1.0), S("1"), B(true), S("true"), Node(), S("???")})},
      {"ListOfLists", L({L({I(1), I(2)}), L({}), L({L({S("deep")})})})},
      {"ListOfMaps", L({M({{"a", I(1)}, {"b", S("yes")}}), M({}), M({{"c", L({I(1)})}})})},
      {"ListOfMapsOfListsOfMaps",
       L({M({{"l", L({M({{"x", S("- a")}, {"y", L({S("a: b")})}})})}, {"z", F(0.5)}})})},
      {"NestedMaps", M({{"a", M({{"b", M({{"c", M({{"d", S("leaf")}})}})}})}})},
      {"MixedList", L({S("a,b"), M({{"k", S("[v]")}}), L({S("{x}")}), S("x #y")})},
      {"LongList", L(std::vector<Node>(40, S("long item")))},
      {"TrickyKeys", M({{"1", I(1)},
                        {"yes", I(2)},
                        {"null", I(3)},
                        {"", I(4)},
                        {"a: b", I(5)},
                        {"- a", I(6)},
                        {"a,b", I(7)},
                        {"x #c", I(8)},
                        {"line\nkey", I(9)},
                        {"?", I(10)},
                        {"~", I(11)},
                        {"[k]", I(12)},
                        {"???", I(13)}})},
      {"Interpolations", M({{"a", S("${b}")}, {"l", L({S("${c.d}"), S("x_${e}_y")})}})},
  };
  const std::vector<std::string> strings = TrickyStrings();
  for (size_t string_idx = 0; string_idx < strings.size(); ++string_idx) {
    cases.push_back({"String" + std::to_string(string_idx), S(strings[string_idx])});
  }
  cases.push_back({"AllTrickyStringsInOneList", L({})});
  for (const auto& text : strings) cases.back().value.MutableList().push_back(S(text));
  cases.push_back({"AllTrickyStringsAsKeys", Node::MakeMap()});
  for (const auto& text : strings) cases.back().value.Set(text, S(text));
  return cases;
}

void ExpectReadsBackEqual(const std::string& yaml, const Node& expected) {
  Node back;
  try {
    back = ParseYamlValue(yaml, "roundtrip.yaml");
  } catch (const ConfigError& error) {
    ADD_FAILURE() << "the writer's output does not parse: " << error.what() << "\n" << yaml;
    return;
  }
  EXPECT_TRUE(back.Equals(expected)) << "wrote:\n"
                                     << yaml << "read back:\n"
                                     << ToYaml(back) << "expected:\n"
                                     << ToFlowYaml(expected);
}

class YamlRoundTripTest : public testing::TestWithParam<RoundTripCase> {};

TEST_P(YamlRoundTripTest, AsTopLevelDocument) {
  ExpectReadsBackEqual(ToYaml(GetParam().value), GetParam().value);
}

TEST_P(YamlRoundTripTest, AsMappingValue) {
  const Node tree = M({{"key", GetParam().value}, {"after", I(1)}});
  ExpectReadsBackEqual(ToYaml(tree), tree);
}

TEST_P(YamlRoundTripTest, AsListItems) {
  const Node tree = M({{"list", L({GetParam().value, GetParam().value})}});
  ExpectReadsBackEqual(ToYaml(tree), tree);
  const Node top = L({GetParam().value, I(1)});
  ExpectReadsBackEqual(ToYaml(top), top);
}

TEST_P(YamlRoundTripTest, InsideListOfMaps) {
  const Node tree = M({{"runs", L({M({{"first", GetParam().value}, {"second", GetParam().value}}),
                                   M({{"nested", M({{"v", GetParam().value}})}})})}});
  ExpectReadsBackEqual(ToYaml(tree), tree);
}

TEST_P(YamlRoundTripTest, InFlowStyle) {
  const Node tree = M({{"key", GetParam().value}, {"list", L({GetParam().value, S("x")})}});
  ExpectReadsBackEqual(ToFlowYaml(tree), tree);
}

TEST_P(YamlRoundTripTest, WithOriginComments) {
  Node tree = M({{"key", GetParam().value}, {"list", L({GetParam().value})}});
  tree.SetOriginRecursive(Origin::File("dir/conf.yaml", 3, 14));
  YamlStyle style;
  style.annotate_origins = true;
  ExpectReadsBackEqual(ToYaml(tree, style), tree);
}

INSTANTIATE_TEST_SUITE_P(Table, YamlRoundTripTest, testing::ValuesIn(RoundTripCases()), CaseName);

class YamlKeyRoundTripTest : public testing::TestWithParam<std::string> {};

TEST_P(YamlKeyRoundTripTest, AsKey) {
  const Node tree = M({{GetParam(), S(GetParam())}, {"other", I(2)}});
  ExpectReadsBackEqual(ToYaml(tree), tree);
  ExpectReadsBackEqual(ToFlowYaml(tree), tree);
  const Node nested = M({{"outer", tree}, {"list", L({tree})}});
  ExpectReadsBackEqual(ToYaml(nested), nested);
}

INSTANTIATE_TEST_SUITE_P(TrickyStrings, YamlKeyRoundTripTest, testing::ValuesIn(TrickyStrings()));

TEST(YamlRoundTripEdgeTest, MissingValueInBlockContext) {
  ExpectReadsBackEqual(ToYaml(Node::Missing()), Node::Missing());
  const Node tree = M({{"k", Node::Missing()}, {"nested", M({{"m", Node::Missing()}})}});
  ExpectReadsBackEqual(ToYaml(tree), tree);
  const Node top_list = L({Node::Missing(), I(1)});
  ExpectReadsBackEqual(ToYaml(top_list), top_list);
  YamlStyle annotated;
  annotated.annotate_origins = true;
  const Node with_list = M({{"l", L({Node::Missing(), I(1)})}});
  ExpectReadsBackEqual(ToYaml(with_list, annotated), with_list);
}

TEST(YamlRoundTripEdgeTest, MissingValueInFlowContext) {
  // ToYaml writes a list holding ??? in block style, since yaml-cpp cannot read ??? inside a
  // flow collection (ToFlowYaml, for messages, keeps ??? and is documented not to round-trip it)
  const Node tree = M({{"l", L({I(1), Node::Missing()})}});
  EXPECT_EQ(ToYaml(tree), "l:\n  - 1\n  - ???\n");
  ExpectReadsBackEqual(ToYaml(tree), tree);
}

TEST(YamlRoundTripEdgeTest, QuestionMarkInFlowContext) {
  for (const char* text : {"what?", "http://h/p?x=1", "a?b", "a ?b", "a? b"}) {
    EXPECT_EQ(ScalarToYaml(S(text), /*in_flow=*/true), "'" + std::string(text) + "'");
    const Node tree = M({{"list", L({S(text)})}, {"map", M({{"k", S(text)}})}});
    ExpectReadsBackEqual(ToYaml(tree), tree);
    ExpectReadsBackEqual(ToFlowYaml(tree), tree);
    const Node as_key = M({{text, I(1)}});
    ExpectReadsBackEqual(ToYaml(as_key), as_key);
  }
}

TEST(YamlRoundTripEdgeTest, DocumentMarkersAreQuoted) {
  EXPECT_EQ(ScalarToYaml(S("---")), "'---'");
  ExpectReadsBackEqual(ToYaml(S("---")), S("---"));
  ExpectReadsBackEqual(ToYaml(S("--- x")), S("--- x"));
  const Node tree = M({{"--- x", I(1)}, {"k", I(2)}});
  ExpectReadsBackEqual(ToYaml(tree), tree);
}

TEST(YamlRoundTripEdgeTest, IndentOtherThanTwo) {
  for (int indent : {1, 3, 4, 8}) {
    YamlStyle style;
    style.indent = indent;
    const Node tree = NestedTree();
    ExpectReadsBackEqual(ToYaml(tree, style), tree);
  }
}

TEST(YamlRoundTripEdgeTest, FileWithEveryFeature) {
  const std::string text = R"(# a config as users write it
seed: 1
algo:
  name: tdmpc2
  lr: 3e-4
  horizon: 5
  gammas: [0.9, 0.99, 0.999]
  flags: {a: true, b: false}
env:
  name: ${algo.name}_cheetah
  kwargs:
    - frame_skip: 2
      camera: 'yes'
    - "quoted\ttab"
mandatory: ???
nothing:
empty_map: {}
empty_list: []
text: |
  first line
  second line
)";
  const Node tree = ParseYamlValue(text, "full.yaml");
  EXPECT_TRUE(FindPath(tree, "mandatory")->IsMissing());
  EXPECT_EQ(FindPath(tree, "text")->AsString(), "first line\nsecond line\n");
  ExpectReadsBackEqual(ToYaml(tree), tree);
  YamlStyle style;
  style.annotate_origins = true;
  ExpectReadsBackEqual(ToYaml(tree, style), tree);
  // ??? cannot be written in flow style (see MissingValueInFlowContext)
  Node without_missing = tree;
  without_missing.Erase("mandatory");
  ExpectReadsBackEqual(ToFlowYaml(without_missing), without_missing);
}

}  // namespace
}  // namespace orch::config
