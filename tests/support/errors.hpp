#pragma once
// Catching the error model in tests.

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace tabel::testing {

// Runs `f` and returns the tabel::Error it throws; fails the test if none.
template <class F>
Error CatchError(F&& f) {
  try {
    f();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected a tabel::Error";
  return Error::Internal("no error");
}

}  // namespace tabel::testing
