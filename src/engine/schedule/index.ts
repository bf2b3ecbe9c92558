/**
 * Noise schedules and solvers, pure TS (worker and Node). `buildSchedule` evaluates a manifest's
 * schedule spec into sigmas and model timesteps; `createFlowSolver` steps a flow-matching latent
 * along those sigmas with Euler, UniPC-bh2 or DPM-Solver++(2M), with a serialisable state for
 * crash-resume checkpoints.
 */
export {
  SIGMA_SPACINGS,
  buildSchedule,
  type Schedule,
  type ScheduleSpec,
  type SigmaSpacing,
  type TimestepMap,
} from './schedules';
export {
  SOLVER_NAMES,
  createFlowSolver,
  type FlowSolver,
  type SolverName,
  type SolverState,
} from './solvers';
