// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingExecutor: a CommandExecutor that runs nothing. It records every command line (and its stdin) a firewall
// backend issues and answers from a script, so command generation for firewalls that cannot run on Linux (ipfw,
// pf, firewalld) is checked line by line against fwknopd's.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/firewall/command_executor.h"

namespace sesame::test {

class RecordingExecutor final : public server::firewall::CommandExecutor {
 public:
  struct Call {
    std::string line;   // argv joined by spaces
    std::string input;  // what was written to its stdin
  };
  // Given the joined command line and its stdin, what the command "did". Default: exit 0, no output.
  using Responder = std::function<server::firewall::CommandOutcome(const std::string& line, std::string_view input)>;

  explicit RecordingExecutor(Responder responder = {}) : responder_(std::move(responder)) {}

  Result<server::firewall::CommandOutcome, std::string> run(const std::vector<std::string>& argv,
                                                            std::string_view input) override {
    const std::string line = server::firewall::command_line(argv);
    calls_.push_back(Call{line, std::string(input)});
    if (!responder_) return server::firewall::CommandOutcome{0, ""};
    return responder_(line, input);
  }

  const std::vector<Call>& calls() const { return calls_; }
  std::vector<std::string> lines() const {
    std::vector<std::string> lines;
    for (const Call& call : calls_) lines.push_back(call.line);
    return lines;
  }
  void clear() { calls_.clear(); }
  void set_responder(Responder responder) { responder_ = std::move(responder); }

 private:
  Responder responder_;
  std::vector<Call> calls_;
};

}  // namespace sesame::test
