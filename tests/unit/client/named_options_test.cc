// SPDX-License-Identifier: GPL-2.0-or-later
// Which options a command line may name: never too few (an option left out would be "not expected").
#include "client/named_options.h"

#include <gtest/gtest.h>

namespace sesame::client {
namespace {

TEST(NamedOptions, LongNamesMatchWholeOrBeforeAnEqualsSign) {
  const std::vector<std::string> args{"--access", "tcp/22", "--key-rijndael=secret"};
  const auto named = NamedOptions::in(args);
  EXPECT_TRUE(named.may_name("-A,--access"));
  EXPECT_TRUE(named.may_name("--key-rijndael"));
  EXPECT_FALSE(named.may_name("--key-base64-rijndael"));
  EXPECT_FALSE(named.may_name("--acc"));  // no prefix matching: CLI11 2.1 has none either
}

TEST(NamedOptions, ShortLettersCountAnywhereInASingleDashArgument) {
  const std::vector<std::string> args{"-vT", "-Atcp/22", "value", "--long"};
  const auto named = NamedOptions::in(args);
  EXPECT_TRUE(named.may_name("-v,--verbose"));
  EXPECT_TRUE(named.may_name("-T,--test"));
  EXPECT_TRUE(named.may_name("-A,--access"));
  EXPECT_TRUE(named.may_name("-p,--server-port"));  // the 'p' of the attached value: harmless
  EXPECT_FALSE(named.may_name("-D,--destination"));
  EXPECT_FALSE(named.may_name("-l,--last-cmd"));  // "--long" is a long name, not short letters
  EXPECT_FALSE(named.may_name("-a"));             // "value" is not an option
}

TEST(NamedOptions, DigitOptions) {
  const std::vector<std::string> args{"-6"};
  EXPECT_TRUE(NamedOptions::in(args).may_name("-6"));
  EXPECT_FALSE(NamedOptions::in(args).may_name("-4"));
}

TEST(NamedOptions, AllNamesEveryOption) {
  EXPECT_TRUE(NamedOptions::all().may_name("--anything"));
  EXPECT_TRUE(NamedOptions::all().names_every_option());
  EXPECT_FALSE(NamedOptions::in({}).names_every_option());
  EXPECT_FALSE(NamedOptions::in({}).may_name("-A,--access"));
}

}  // namespace
}  // namespace sesame::client
