// SPDX-License-Identifier: GPL-2.0-or-later
// ClientError: the error value of the client layer, one line naming the problem, ready to print as is.
#pragma once

#include <string>

#include "common/result.h"

namespace sesame::client {

struct ClientError {
  std::string message;
};

template <class T>
using Result = sesame::Result<T, ClientError>;

}  // namespace sesame::client
