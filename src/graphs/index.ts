export { STEP_GRAPH_OPSET, buildStepGraph, stepGraphBytes, type StepGraphKind } from './step-graphs';
export { StepSessions, type Combined, type Perturbed } from './step-sessions';
export { DeviceStep, type DeviceBaseOptimizer, type DeviceStepOptions } from './device-step';
