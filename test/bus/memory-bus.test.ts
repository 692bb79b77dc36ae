import { MemoryBus } from '../../libs/bus/memory-bus.js';
import { describeBus } from './bus.contract.js';

describeBus('MemoryBus', async () => {
  const bus = new MemoryBus({ retryDelayMs: 50 });
  return { bus, cleanup: () => bus.close() };
});
