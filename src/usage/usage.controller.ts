import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { SkipRequestQuota } from './quota.guard';
import { UsageQueryDto, UsageReportDto } from './usage.dto';
import { UsageService } from './usage.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('api/v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /**
   * The project's usage counters per hour or UTC day: requests per module, NLU parses, prompt and generated tokens, embedded texts
   * (docs/usage.md). A project admin reads its own project; a platform key names any project with X-LLMOS-Project. Counts of this
   * server are exact the moment a request has been answered; other replicas' within USAGE_FLUSH_MS. Not limited by
   * the project's requestsPerMinute.
   */
  @Get()
  @AdminOnly()
  @SkipRequestQuota()
  @ApiOkResponse({ type: UsageReportDto })
  @ApiErrors(400, 401, 403, 404)
  getUsage(@CurrentProject() project: string, @Query() query: UsageQueryDto): Promise<UsageReportDto> {
    return this.usage.report(project, query);
  }
}
