/* The demo directory that `make run` starts with: clearly fictional people and numbers. */
#ifndef POCD_CORE_DEMO_H
#define POCD_CORE_DEMO_H

#include "core/core.h"

/*
 * Makes about 150 states participate, gives each synthetic PoCs, and creates two admins and
 * an officer for eight states from different regions. Writes every login to cred_path
 * (mode 0600) as {"secretariat": {...}, "states": {"FRA": {"admin": {...}, ...}}}.
 * secretariat_password is the password of the Secretariat account created by init.
 */
enum pocd_err demo_populate(struct core *c, const char *cred_path, const char *secretariat_user,
                            const char *secretariat_password);

#endif
