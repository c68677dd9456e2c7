#pragma once
// The instruction set a CPU translation unit is compiled for. cpu/elementwise.cpp and
// cpu/scan.cpp are compiled twice (CMakeLists.txt): as baseline x86-64 and with EMBER_ISA=avx2
// (-mavx2 -mfma); the inline helpers of cpu/ they use (loops.h) live in an inline namespace of
// that name so the two copies never mix (the device-neutral formulas of elementwise_fn.h have
// internal linkage for the same reason), and cpu/dispatch.cpp picks the kernels once per process.
#ifndef EMBER_ISA
#define EMBER_ISA baseline
#endif
