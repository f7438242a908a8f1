#!/usr/bin/env bash
# imedit's Kotlin binding next to the official Volcengine Java SDK signer, in one JVM:
#   bash benches/kotlin/run.sh [ITERATIONS]          (default 20000 per run, 5 runs, median)
# Installs the imedit jar into the local Maven repository (mvn install, tests skipped), builds
# this project, then runs it with a fixed heap so that the memory figures are comparable.
# Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mvn -B -ntp -q -f bindings/kotlin/pom.xml -DskipTests install
mvn -B -ntp -q -f benches/kotlin/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
java -Xms256m -Xmx256m \
  -cp "benches/kotlin/target/classes:$(cat benches/kotlin/target/classpath.txt)" \
  io.imedit.bench.SignBenchKt "$@"
