import { Module } from '@nestjs/common';
import { GenerationController } from './generation.controller';
import { GenerationService } from './generation.service';
import { NativeGenerationService } from './native-generation.service';

/** Text generation: the continuous-batching engine over the shared pool, and its native API. */
@Module({
  controllers: [GenerationController],
  providers: [GenerationService, NativeGenerationService],
  exports: [GenerationService],
})
export class GenerationModule {}
