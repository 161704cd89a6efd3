// SPDX-License-Identifier: GPL-2.0-or-later
// sesame: the SPA client, a drop-in for fwknop 2.6.10's `fwknop`.
#include <iostream>
#include <string>
#include <vector>

#include "client/client_app.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  return sesame::client::run_client(args, {std::cout, std::cerr});
}
