/* The deadline scheduler: one thread that sleeps until the next deadline of a communication
 * or a ping, marks what is overdue, escalates, reminds, and opens correction tasks. */
#ifndef POCD_CORE_SCHEDULER_H
#define POCD_CORE_SCHEDULER_H

struct core;
struct scheduler;

/* Starts the thread for c (and sets c->scheduler). NULL on failure. */
struct scheduler *scheduler_start(struct core *c);
/* Wakes it to look again: a new, earlier deadline, or the clock moved. */
void scheduler_kick(struct scheduler *s);
/* Stops and joins the thread; NULL is fine. */
void scheduler_stop(struct scheduler *s);

#endif
