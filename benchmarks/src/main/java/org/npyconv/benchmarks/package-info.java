/**
 * JMH micro-benchmarks and the warm-get latency driver of the end-to-end harness
 * (docs/benchmarks.md). Inputs are the files {@code benchmarks/run-e2e.sh} generates into
 * {@code bench-data/}; pick one with JMH's {@code -p file=PATH}. Nothing here ships in the
 * {@code npyconv} jar.
 */
package org.npyconv.benchmarks;
