/**
 * ProblemError lives in domain/ (the use cases refuse with it, and they sit
 * below the HTTP edge); re-exported here for the routers and the modules that
 * already import it from the edge.
 */
export { isProblemError, ProblemError, prefixFieldErrors } from '../domain/problem-error';
