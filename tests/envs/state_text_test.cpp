// Tests src/envs/state_text.cpp.
#include "envs/state_text.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace orch::envs {
namespace {

TEST(StateTextTest, ValuesAndStreamsReadBackExactly) {
  rl::RandomStream stream(5, "test");
  stream.Uniform();
  StateWriter writer("tag-v1");
  writer.Double(0.1).Double(-std::numeric_limits<double>::denorm_min()).Int(-7).Stream(stream);
  const std::string text = writer.str();

  StateReader reader(text, "tag-v1", "test");
  EXPECT_EQ(reader.Double(), 0.1);
  EXPECT_EQ(reader.Double(), -std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(reader.Int(-10, 10), -7);
  rl::RandomStream restored(99, "other");
  restored.LoadState(reader.Stream());
  EXPECT_NO_THROW(reader.Finish());
  EXPECT_EQ(restored.Uniform(), stream.Uniform());
}

TEST(StateTextTest, BadTextIsRefused) {
  rl::RandomStream stream(5, "test");
  StateWriter writer("tag-v1");
  writer.Int(3).Stream(stream);
  const std::string text = writer.str();
  // another tag, a value out of range, a value or stream too many or too few
  EXPECT_THROW(StateReader(text, "tag-v2", "test"), std::runtime_error);
  EXPECT_THROW(StateReader("", "tag-v1", "test"), std::runtime_error);
  {
    StateReader reader(text, "tag-v1", "test");
    EXPECT_THROW(reader.Int(0, 2), std::runtime_error);
  }
  {
    StateReader reader(text, "tag-v1", "test");
    reader.Int(0, 5);
    EXPECT_THROW(reader.Int(0, 5), std::runtime_error);
  }
  {
    StateReader reader(text, "tag-v1", "test");
    EXPECT_THROW(reader.Finish(), std::runtime_error);
  }
  {
    StateReader reader(text, "tag-v1", "test");
    reader.Int(0, 5);
    reader.Stream();
    EXPECT_THROW(reader.Stream(), std::runtime_error);
  }
  {
    StateReader reader("tag-v1 3\nnot an engine\n", "tag-v1", "test");
    reader.Int(0, 5);
    EXPECT_THROW(reader.Stream(), std::runtime_error);
  }
}

}  // namespace
}  // namespace orch::envs
