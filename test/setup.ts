// Loaded by mocha before any test (see .mocharc.json): sessions that tests create directly get
// ONNX Runtime's error-level logging, so the test log shows test results, not ORT's notes on
// the graphs it optimizes.
import * as ort from 'onnxruntime-node';

ort.env.logLevel = 'error';
