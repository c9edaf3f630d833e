/** Float test accuracy of the ReLU teacher (8-bit inputs). */
import type { Mnist } from '../data/mnist.js';
import type { Network } from './network.js';
import { accuracy, predictFloat } from './trainer.js';

export function evalTeacher(net: Network, mnist: Mnist): { floatAccuracy: number } {
  return { floatAccuracy: accuracy(predictFloat(net, mnist.test, 8), mnist.test.labels) };
}
