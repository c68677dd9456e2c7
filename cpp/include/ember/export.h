#pragma once
// EMBER_API marks what libember_core exports; everything else stays hidden.
#define EMBER_API __attribute__((visibility("default")))
