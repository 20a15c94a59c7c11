/*
 * Resolute's safety protocol (docs/design.md, "The safety protocol") as a Promela model for
 * spin, checked exhaustively by spec/check-model.sh. spec/README.md maps every process and
 * variable to the TypeScript it stands for.
 *
 *   spec/resolute.pml   Resolute's protocol: spin must find NO error
 *   spec/naive.pml      the naive 2025 stack (this file with NAIVE defined): spin must find
 *                       a counterexample
 *
 * Compile-time switches (spin -DNAME -a …): NAIVE; ONLY_EMPTY / ONLY_BACKWARDS check one
 * property alone (the check shows the naive stack breaks each of them).
 *
 * Abstractions: a generation is a byte (0 = no marker / no plan); a record set is a small
 * integer, 0 meaning EMPTY; one managed name per group. Each `atomic` is one indivisible step;
 * spin explores every interleaving of the steps, so a process can pause between any two of its
 * steps for as long as the others take (the 2025 enactor's minutes-long stall included).
 *
 * Canonical forms (state-space reduction, behaviour unchanged): a fence an enactor read, or a
 * parent a planner read, that can never match again (markers and the newest generation only
 * grow) is replaced by STALE when it goes stale; a stale value and STALE fail the same checks.
 */

#define MAXPLANS 4        /* generations 1..MAXPLANS are published, then the planners stop */
#define NP       2        /* planners */
#define NE       3        /* enactors */
#define NG       2        /* groups of the zone at the provider, each with its own marker */
#define KEEP     2        /* cleanup keeps the newest KEEP plans (keepLast) */
#define AGE      2        /* naive cleanup: plans AGE or more below the one just applied go */
#define INITIAL  3        /* the records the zone served before adoption (no marker yet) */

#define UNREAD   255      /* ef/pp: nothing read */
#define REFUSED  254      /* ef: the write was refused (re-read the newest header next) */
#define STALE    253      /* ef/pp: read, and can never match again */

/* ---- the store ---- */
byte newestGen = 0;              /* the newest-generation key (plans/head); 0 = no plan yet */
byte pc[MAXPLANS + 1];           /* plan g's record set (never 0 = empty); 0 = plan g not stored */

/* ---- the provider: one zone split into NG groups ---- */
byte marker[NG];                 /* each group's marker: the generation it holds; 0 = missing */
byte rec[NG] = INITIAL;          /* each group's served record set (Resolute: values) */

/* ---- process state the others' writes canonicalize ---- */
byte pp[NP] = UNREAD;            /* planner i: the parent generation it read (CAS expectation) */
byte ek[NE];                     /* enactor e: the group it is at */
byte ef[NE] = UNREAD;            /* enactor e: the fence it read from the provider for group ek[e] */

/* ---- ghosts for the invariants (not part of the protocol) ---- */
byte hi[NG];                     /* the highest generation each group ever held */
byte hiLow = 0;                  /* the highest applied generation (lowest over groups) ever */

#define LOW (marker[0] < marker[1] -> marker[0] : marker[1])

#ifdef NAIVE
/* The naive stack: the provider's records REFER to the plan that produced them, so deleting
 * the plan deletes what it published (pc[g] = 0 is the empty record set). */
#define SERVED(k) (marker[k] == 0 -> rec[k] : pc[marker[k]])
#else
#define SERVED(k) rec[k]
#endif

#define NEVER_EMPTY     (SERVED(0) != 0 && SERVED(1) != 0)
#define NEVER_BACKWARDS (marker[0] == hi[0] && marker[1] == hi[1] && LOW == hiLow)

#if defined(ONLY_EMPTY)
#define INVARIANT NEVER_EMPTY
#elif defined(ONLY_BACKWARDS)
#define INVARIANT NEVER_BACKWARDS
#else
#define INVARIANT (NEVER_EMPTY && NEVER_BACKWARDS)
#endif

/* Checked in EVERY reachable state: this step is enabled the instant the invariant fails. */
active proctype Invariants() {
endInvariants:                                      /* (waiting here for ever is no deadlock) */
  atomic {
    !(INVARIANT) ->
      printf("MSC: VIOLATED: group 0 serves %d, group 1 serves %d (0 = EMPTY); markers %d %d, highest ever %d %d\n",
             SERVED(0), SERVED(1), marker[0], marker[1], hi[0], hi[1]);
#ifndef ONLY_BACKWARDS
      assert(NEVER_EMPTY);
#endif
#ifndef ONLY_EMPTY
      assert(NEVER_BACKWARDS);
#endif
      skip
  }
}

/* Ghost bookkeeping of a write to group k, in the same atomic step as the write. */
inline ghosts(k) {
  if :: marker[k] > hi[k] -> hi[k] = marker[k] :: else -> skip fi;
  if :: LOW > hiLow -> hiLow = LOW :: else -> skip fi
}

/* Canonical form after marker[k] moved: a fence read of group k can never match again. */
inline staleFences(k) {
  e = 0;
  do
  :: e < NE -> if :: ek[e] == k && ef[e] < STALE && ef[e] != marker[k] -> ef[e] = STALE :: else -> skip fi; e++
  :: else -> break
  od;
  e = 0
}

/* src/cli/planner-loop.ts PlannerLoop.plan() + src/store/kv/plan-records.ts publishPlan():
 * read the newest stored plan, compute against it, publish with a compare-and-set on the
 * newest generation; a conflict → recompute against the new newest. */
proctype Planner(byte me) {
  byte i;
  do
  :: atomic { newestGen >= MAXPLANS -> break }
  :: atomic { newestGen < MAXPLANS && pp[me] == UNREAD ->
       pp[me] = newestGen }                        /* the parent: the newest stored plan */
  :: atomic { pp[me] != UNREAD ->                   /* store.publishPlan({ parentGeneration }) */
       if
       :: newestGen == pp[me] && newestGen < MAXPLANS ->
            /* computed against the parent: content derived from it, never empty */
            pc[newestGen + 1] = (newestGen == 0 -> 1 : 3 - pc[newestGen]);
            newestGen++;
            printf("MSC: planner %d publishes plan %d (parent %d)\n", me, newestGen, newestGen - 1);
            i = 0;                                  /* the other planners' parents go stale */
            do
            :: i < NP -> if :: pp[i] != UNREAD -> pp[i] = STALE :: else -> skip fi; i++
            :: else -> break
            od;
            i = 0
       :: else -> skip                              /* conflict: recompute */
       fi;
       pp[me] = UNREAD }
  od
}

#ifndef NAIVE
/* src/enact/enactor.ts Enactor.enact() + src/enact/enact-zone.ts enactZone(), with the fenced
 * write of src/providers/builtin/fence.ts fencedWrite() (store applyRecordSets) and, for the
 * groups, src/providers/rfc2136/rfc2136-provider.ts apply() + fence.ts: one UPDATE per group,
 * under that group's marker as read. The model reads each group's marker just before its
 * UPDATE (the provider reads them all in one AXFR first) and goes on to the next group after
 * a refusal (the provider stops): both only allow MORE writes, so the model over-approximates
 * what the code can write (spec/README.md, "Abstractions"). */
proctype Enactor(byte me) {
  byte g, c, e;                                     /* g: the plan; c: its record set (a copy) */
endTop:                                             /* g: the plan of the previous step */
  atomic {                                          /* NewestPlanReader.read(): the newest plan */
    newestGen > g ->                                /*  (a step on the same plan writes nothing) */
    g = newestGen; c = pc[g]; ek[me] = 0            /*  the newest is never deleted */
  }
  do                                                /* enactZone, each group in turn */
  :: atomic { ek[me] < NG && ef[me] == UNREAD ->    /* provider.readFence(): FROM the provider */
       ef[me] = marker[ek[me]];
       if
       :: ef[me] >= g -> ef[me] = UNREAD; ek[me]++ /* holding(): current, or superseded */
       :: else -> skip                              /* (beforeApply: the 2025 pause comes next) */
       fi }
  :: atomic { ef[me] < REFUSED ->                   /* provider.apply(records, fence): ONE step */
       if
       :: marker[ek[me]] == ef[me] && ef[me] < g -> /* still the fence read ("does not exist"
                                                       when 0: marker adoption), and below g */
            marker[ek[me]] = g; rec[ek[me]] = c;    /* applied: the records are values */
            printf("MSC: enactor %d applies plan %d to group %d (fence %d)\n", me, g, ek[me], ef[me]);
            ghosts(ek[me]); staleFences(ek[me]);
            ef[me] = UNREAD; ek[me]++
       :: else -> ef[me] = REFUSED                  /* fenced */
       fi }
  :: atomic { ef[me] == REFUSED ->                  /* refused: env.newestHeader() */
       if
       :: newestGen > g -> ek[me]++                 /* superseded: plan g dropped for this group */
       :: else -> skip                              /* still the newest: read the fence again */
       fi;
       ef[me] = UNREAD }
  :: atomic { ek[me] == NG -> c = 0; ek[me] = 0; goto endTop }
  od
}

/* src/enact/cleanup.ts Cleanup.step(): delete plans below the lower of the oldest applied
 * generation and the KEEP-th newest plan (store deletePlans never deletes the newest). */
proctype Cleanup() {
  byte oldest = UNREAD, keepFrom, n, p;
  do
  :: atomic { oldest == UNREAD -> oldest = LOW }   /* oldestApplied(): lowest over groups, 0 = none */
  :: atomic { oldest != UNREAD ->                  /* listPlans() + deletePlans({ below }) */
       n = 0; p = newestGen; keepFrom = 0;
       do                                           /* the KEEP-th newest stored plan */
       :: p == 0 -> break
       :: p > 0 && pc[p] == 0 -> p--
       :: p > 0 && pc[p] != 0 && n + 1 == KEEP -> keepFrom = p; break
       :: p > 0 && pc[p] != 0 && n + 1 != KEEP -> n++; p--
       od;
       if                                           /* below = min(keepFrom, oldest) */
       :: keepFrom != 0 && oldest != 0 && oldest < keepFrom -> keepFrom = oldest
       :: else -> skip
       fi;
       p = 1;
       do
       :: p < keepFrom && p < newestGen -> pc[p] = 0; p++
       :: else -> break
       od;
       n = 0; p = 0; keepFrom = 0; oldest = UNREAD }
  od
}
#else
/* The naive 2025 enactor (docs/design.md, end of "The safety protocol"): the freshness check
 * is made ONCE, before a slow apply; the writes are unconditional; the records refer to the
 * plan; after applying, it cleans up plans much older than the one it just applied, which
 * removes what those plans had published. */
proctype Enactor(byte me) {
  byte g, p;
endTop:
  atomic {                                          /* read the newest plan, and the one check */
    newestGen > g && newestGen > LOW ->
    g = newestGen; ek[me] = 0;
    printf("MSC: enactor %d reads plan %d, newer than the provider's %d: applies it\n", me, g, LOW)
  }
  do
  :: atomic { ek[me] < NG ->                        /* (any pause before each write: a slow apply) */
       marker[ek[me]] = g; ghosts(ek[me]);         /* unconditional: records refer to plan g */
       printf("MSC: enactor %d writes group %d -> plan %d (it serves record set %d; 0 = EMPTY)\n", me, ek[me], g, SERVED(ek[me]));
       ek[me]++ }
  :: atomic { ek[me] == NG ->                       /* cleanup by age, after applying */
       p = 1;
       do
       :: p + AGE <= g ->
            if :: pc[p] != 0 -> printf("MSC: enactor %d cleanup deletes plan %d\n", me, p) :: else -> skip fi;
            pc[p] = 0; p++
       :: else -> break
       od;
       p = 0; ek[me] = 0; goto endTop }
  od
}

proctype Cleanup() { skip }                         /* the naive stack's cleanup is the enactor's */
#endif

init {
  atomic {
    run Planner(0); run Planner(1);
    run Enactor(0); run Enactor(1); run Enactor(2);
    run Cleanup()
  }
}
