// Package ssokit adds single sign-on against each customer's own identity
// provider (SAML 2.0 and OpenID Connect) to an application that already has
// users and sessions.
//
// The host keeps its user table and its session library. It passes the kit a
// [Store] for the kit's own state (the store package implements it on SQLite
// or PostgreSQL), implements a UserStore so that logins write into its own
// users, and bridges its session so the kit can log a user in.
//
// This package currently holds the data model and the storage contract; the
// login, callback and assertion-consumer handlers arrive with their issues.
package ssokit
