// Package clitest runs the opsbot binary as a user would: `opsbot ingest`
// from a folder and from a loopback S3 server, and the crash test that
// SIGKILLs it mid-object and checks that a restart neither loses nor
// doubles a row. It holds tests only: they need a process of their own,
// since the embedded engine runs one data folder per process.
package clitest
