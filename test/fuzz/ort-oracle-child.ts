// The child process of OrtOracle (ort-oracle.ts): ONNX Runtime's verdict on each model it is sent.
import { ortVerdict } from './ort-verdict';

process.on('message', (m: { bytes: string }) => {
  void ortVerdict(Buffer.from(m.bytes, 'base64')).then((v) => process.send?.(v));
});
